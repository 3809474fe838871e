// Option schemas and validated options. Every message starts with the JSON path of the offending
// value, says what was expected and shows what was given, e.g. `model.layers[1]: must be > 0, got -3`.
#include "adapt/common/options.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/edit_distance.h"

namespace adapt {

namespace {

// Bounds as a reader would write them: 2 rather than 2.000000, 0.001 rather than 1.000000e-03.
std::string format_bound(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// A value for an error message; long values are cut so one bad array does not flood the terminal.
std::string shown(const json& value) {
  std::string text = value.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool is_integral(const json& value) {
  // Beyond int64 (2^64-1 parses as unsigned) it would wrap to a negative number: not an integer here.
  if (value.is_number_unsigned()) return value.get<uint64_t>() <= uint64_t{INT64_MAX};
  if (value.is_number_integer()) return true;
  // 64.0 from a generated recipe is still an integer; 64.5 is not.
  if (value.is_number_float()) {
    double v = value.get<double>();
    return std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15;
  }
  return false;
}

const char* element_type_name(OptionType type) {
  switch (type) {
    case OptionType::integer_list: return "integer";
    case OptionType::number_list: return "number";
    case OptionType::string_list: return "string";
    default: return "";
  }
}


}  // namespace

std::string to_string(OptionType type) {
  switch (type) {
    case OptionType::integer: return "integer";
    case OptionType::number: return "number";
    case OptionType::boolean: return "boolean";
    case OptionType::string: return "string";
    case OptionType::integer_list: return "list of integers";
    case OptionType::number_list: return "list of numbers";
    case OptionType::string_list: return "list of strings";
    case OptionType::object: return "object";
    case OptionType::any: return "any";
  }
  return "unknown";
}

// ---- OptionSpec ---------------------------------------------------------------------------------

OptionSpec::OptionSpec(std::string name, OptionType type, json default_value, std::string help)
    : name_(std::move(name)), type_(type), default_(std::move(default_value)), help_(std::move(help)) {
  if (name_.empty()) throw OptionError("OptionSpec: an option needs a name");
}

OptionSpec& OptionSpec::min(double value) {
  min_ = value;
  return *this;
}
OptionSpec& OptionSpec::max(double value) {
  max_ = value;
  return *this;
}
OptionSpec& OptionSpec::greater_than(double value) {
  exclusive_min_ = value;
  return *this;
}
OptionSpec& OptionSpec::choices(std::vector<std::string> allowed) {
  choices_ = std::move(allowed);
  return *this;
}
OptionSpec& OptionSpec::required() {
  required_ = true;
  default_ = nullptr;
  return *this;
}

namespace {

void check_number_bounds(const OptionSpec& spec, const json& value, const std::string& path) {
  double v = value.get<double>();
  if (!std::isfinite(v)) throw OptionError(path + ": must be a finite number, got " + shown(value));
  if (spec.exclusive_min() && !(v > *spec.exclusive_min())) {
    throw OptionError(path + ": must be > " + format_bound(*spec.exclusive_min()) + ", got " + shown(value));
  }
  if (spec.min_value() && v < *spec.min_value()) {
    throw OptionError(path + ": must be >= " + format_bound(*spec.min_value()) + ", got " + shown(value));
  }
  if (spec.max_value() && v > *spec.max_value()) {
    throw OptionError(path + ": must be <= " + format_bound(*spec.max_value()) + ", got " + shown(value));
  }
}

void check_choice(const OptionSpec& spec, const json& value, const std::string& path) {
  if (spec.allowed().empty()) return;
  const std::string& s = value.get_ref<const std::string&>();
  if (std::find(spec.allowed().begin(), spec.allowed().end(), s) != spec.allowed().end()) return;
  std::string list;
  for (const auto& c : spec.allowed()) list += (list.empty() ? "" : ", ") + ("\"" + c + "\"");
  throw OptionError(path + ": must be one of " + list + "; got " + shown(value));
}

}  // namespace

void OptionSpec::check(const json& value, const std::string& path) const {
  // An optional option without a default may stay null ("not set").
  if (value.is_null() && !required_ && default_.is_null()) return;
  auto wrong_type = [&](const std::string& expected) {
    return OptionError(path + ": expected " + expected + ", got " + shown(value));
  };
  switch (type_) {
    case OptionType::integer:
      if (!is_integral(value)) throw wrong_type(value.is_number_unsigned() ? "an integer up to 2^63-1" : "an integer");
      check_number_bounds(*this, value, path);
      return;
    case OptionType::number:
      if (!value.is_number()) throw wrong_type("a number");
      check_number_bounds(*this, value, path);
      return;
    case OptionType::boolean:
      if (!value.is_boolean()) throw wrong_type("true or false");
      return;
    case OptionType::string:
      if (!value.is_string()) throw wrong_type("a string");
      check_choice(*this, value, path);
      return;
    case OptionType::integer_list:
    case OptionType::number_list:
    case OptionType::string_list: {
      if (!value.is_array()) throw wrong_type("a " + to_string(type_));
      for (size_t i = 0; i < value.size(); ++i) {
        const json& element = value[i];
        std::string element_path = path + "[" + std::to_string(i) + "]";
        bool ok = type_ == OptionType::integer_list  ? is_integral(element)
                  : type_ == OptionType::number_list ? element.is_number()
                                                     : element.is_string();
        if (!ok) {
          throw OptionError(element_path + ": expected " +
                            (type_ == OptionType::integer_list ? std::string("an ") : std::string("a ")) +
                            element_type_name(type_) + ", got " + shown(element));
        }
        if (type_ == OptionType::string_list) {
          check_choice(*this, element, element_path);
        } else {
          check_number_bounds(*this, element, element_path);
        }
      }
      return;
    }
    case OptionType::object:
      if (!value.is_object()) throw wrong_type("an object");
      return;
    case OptionType::any:
      return;
  }
}

json OptionSpec::describe() const {
  json d = {{"name", name_}, {"type", to_string(type_)}, {"help", help_}, {"required", required_}};
  if (!required_) d["default"] = default_;
  if (min_) d["min"] = *min_;
  if (max_) d["max"] = *max_;
  if (exclusive_min_) d["greater_than"] = *exclusive_min_;
  if (!choices_.empty()) d["choices"] = choices_;
  return d;
}

// ---- Options ------------------------------------------------------------------------------------

Options::Options(const OptionSchema& schema, const json& given, std::string path) : path_(std::move(path)) {
  const json empty = json::object();
  const json& spec = given.is_null() ? empty : given;
  if (!spec.is_object()) {
    throw OptionError((path_.empty() ? std::string("options") : path_) +
                      ": expected an object like {\"name\": \"plugin.component\", ...}, got " + shown(spec));
  }

  std::set<std::string> known;
  for (const auto& option : schema) known.insert(option.name());

  for (auto it = spec.begin(); it != spec.end(); ++it) {
    if (it.key() == "name") {
      if (!it.value().is_string()) {
        throw OptionError(join_path(path_, "name") + ": expected a component name string, got " + shown(it.value()));
      }
      values_["name"] = it.value();
      continue;
    }
    if (known.count(it.key())) continue;
    std::string message = join_path(path_, it.key()) + ": unknown option";
    if (known.empty()) {
      message += "; this component takes no options";
    } else {
      std::string list, closest;
      size_t best = 3;  // suggest only close spellings
      for (const auto& k : known) {
        list += (list.empty() ? "" : ", ") + k;
        size_t d = detail::edit_distance(it.key(), k);
        if (d < best) best = d, closest = k;
      }
      if (!closest.empty()) message += " (did you mean \"" + closest + "\"?)";
      message += "; known options: " + list;
    }
    throw OptionError(message);
  }

  for (const auto& option : schema) {
    std::string key_path = join_path(path_, option.name());
    auto it = spec.find(option.name());
    if (it == spec.end()) {
      if (option.is_required()) {
        throw OptionError(key_path + ": required option is missing (" + to_string(option.type()) + ": " +
                          option.help() + ")");
      }
      values_[option.name()] = option.default_value();
      continue;
    }
    option.check(*it, key_path);
    // Integral floats (64.0) are stored as integers so integer() and exports agree.
    if ((option.type() == OptionType::integer) && it->is_number_float()) {
      values_[option.name()] = static_cast<int64_t>(it->get<double>());
    } else if (option.type() == OptionType::integer_list) {
      json list = json::array();
      for (const auto& e : *it) list.push_back(e.is_number_float() ? json(static_cast<int64_t>(e.get<double>())) : e);
      values_[option.name()] = list;
    } else {
      values_[option.name()] = *it;
    }
  }
}

const json& Options::raw(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) {
    std::string list;
    for (auto k = values_.begin(); k != values_.end(); ++k) list += (list.empty() ? "" : ", ") + k.key();
    throw OptionError(join_path(path_, key) + ": the component asked for an option its schema does not declare"
                      " (declared: " + list + "); add it to the component's OptionSchema");
  }
  return *it;
}

bool Options::has(const std::string& key) const {
  auto it = values_.find(key);
  return it != values_.end() && !it->is_null();
}

OptionError Options::error(const std::string& key, const std::string& message) const {
  return OptionError(join_path(path_, key) + ": " + message);
}

namespace {
[[noreturn]] void throw_type(const Options& options, const std::string& key, const char* expected, const json& value) {
  throw options.error(key, std::string("expected ") + expected + ", got " + shown(value) +
                               (value.is_null() ? " (no value given and no default)" : ""));
}
}  // namespace

int64_t Options::integer(const std::string& key) const {
  const json& v = raw(key);
  if (!is_integral(v)) throw_type(*this, key, "an integer", v);
  return v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(v.get<double>());
}

double Options::number(const std::string& key) const {
  const json& v = raw(key);
  if (!v.is_number()) throw_type(*this, key, "a number", v);
  return v.get<double>();
}

bool Options::boolean(const std::string& key) const {
  const json& v = raw(key);
  if (!v.is_boolean()) throw_type(*this, key, "true or false", v);
  return v.get<bool>();
}

std::string Options::string(const std::string& key) const {
  const json& v = raw(key);
  if (!v.is_string()) throw_type(*this, key, "a string", v);
  return v.get<std::string>();
}

std::vector<int64_t> Options::integers(const std::string& key) const {
  const json& v = raw(key);
  if (!v.is_array()) throw_type(*this, key, "a list of integers", v);
  std::vector<int64_t> out;
  for (const auto& e : v) {
    if (!is_integral(e)) throw_type(*this, key, "a list of integers", v);
    out.push_back(e.is_number_integer() ? e.get<int64_t>() : static_cast<int64_t>(e.get<double>()));
  }
  return out;
}

std::vector<double> Options::numbers(const std::string& key) const {
  const json& v = raw(key);
  if (!v.is_array()) throw_type(*this, key, "a list of numbers", v);
  std::vector<double> out;
  for (const auto& e : v) {
    if (!e.is_number()) throw_type(*this, key, "a list of numbers", v);
    out.push_back(e.get<double>());
  }
  return out;
}

std::vector<std::string> Options::strings(const std::string& key) const {
  const json& v = raw(key);
  if (!v.is_array()) throw_type(*this, key, "a list of strings", v);
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) throw_type(*this, key, "a list of strings", v);
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace adapt
