#pragma once
// Option schemas and validated options: every component is created from JSON that was checked
// against its schema, so a recipe error names its JSON path, the bad value and what is allowed.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

using json = nlohmann::json;

enum class OptionType { integer, number, boolean, string, integer_list, number_list, string_list, object, any };

std::string to_string(OptionType type);

// One documented option: name, type, default, help, and optional bounds or choices.
// Built with chained setters, e.g. OptionSpec("n_fft", OptionType::integer, 400, "FFT size").min(2).
class ADAPT_API OptionSpec {
 public:
  OptionSpec(std::string name, OptionType type, json default_value, std::string help);

  OptionSpec& min(double value);             // inclusive lower bound (each element, for lists)
  OptionSpec& max(double value);             // inclusive upper bound
  OptionSpec& greater_than(double value);    // exclusive lower bound
  OptionSpec& choices(std::vector<std::string> allowed);
  OptionSpec& required();                    // no default: the recipe must give it

  const std::string& name() const { return name_; }
  OptionType type() const { return type_; }
  const json& default_value() const { return default_; }
  const std::string& help() const { return help_; }
  bool is_required() const { return required_; }
  std::optional<double> min_value() const { return min_; }
  std::optional<double> max_value() const { return max_; }
  std::optional<double> exclusive_min() const { return exclusive_min_; }
  const std::vector<std::string>& allowed() const { return choices_; }

  // Throws OptionError("PATH: must be > 0, got -3") when value breaks the spec.
  void check(const json& value, const std::string& path) const;
  json describe() const;  // for `adapt plugins info --json`

 private:
  std::string name_;
  OptionType type_;
  json default_;
  std::string help_;
  bool required_ = false;
  std::optional<double> min_, max_, exclusive_min_;
  std::vector<std::string> choices_;
};

using OptionSchema = std::vector<OptionSpec>;

// The options a component is built from: validated, defaults filled in, typed accessors.
class ADAPT_API Options {
 public:
  Options() = default;
  // Checks `given` against `schema`; `path` (e.g. "model") prefixes every error message.
  // Unknown keys are an error that lists the known ones. The key "name" is always allowed.
  Options(const OptionSchema& schema, const json& given, std::string path);

  int64_t integer(const std::string& key) const;
  double number(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::string string(const std::string& key) const;
  std::vector<int64_t> integers(const std::string& key) const;
  std::vector<double> numbers(const std::string& key) const;
  std::vector<std::string> strings(const std::string& key) const;
  const json& raw(const std::string& key) const;
  bool has(const std::string& key) const;  // given or defaulted to a non-null value

  const json& values() const { return values_; }  // what was given plus defaults: goes into exports
  const std::string& path() const { return path_; }
  // An OptionError for a semantic check the schema cannot express, prefixed with the key's path.
  OptionError error(const std::string& key, const std::string& message) const;

 private:
  json values_ = json::object();
  std::string path_;
};

}  // namespace adapt
