#include "csv_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <random>

#include "adapt/data/csv.h"
#include "register.h"
#include "values.h"

namespace adapt::tabular {

OptionSchema csv_reader_schema() {
  return {
      OptionSpec("path", OptionType::string, nullptr, "the training table (relative to the recipe)").required(),
      OptionSpec("test_path", OptionType::string, "",
                 "optional held-out test table with the same columns; its rows get split_column = \"test\""),
      OptionSpec("split_column", OptionType::string, "split",
                 "column added when test_path or valid_pct is given: \"train\", \"valid\" or \"test\" "
                 "(split with core.by_column)"),
      OptionSpec("valid_pct", OptionType::number, 0.0,
                 "fraction of the training file's rows marked \"valid\" (seeded, never from test_path)")
          .min(0)
          .max(0.9),
      OptionSpec("seed", OptionType::integer, 42, "seed for choosing the valid_pct rows").min(0),
      OptionSpec("delimiter", OptionType::string, ",", "one character, or \"tab\""),
      OptionSpec("header", OptionType::boolean, true, "the first line names the columns"),
      OptionSpec("column_names", OptionType::string_list, json::array(), "column names when header is false"),
      OptionSpec("comment", OptionType::string, "", "lines starting with this are skipped (\"|\" for UCI files)"),
      OptionSpec("quoting", OptionType::boolean, true,
                 "fields in double quotes may hold the delimiter and line breaks; false reads quotes as ordinary "
                 "characters"),
      OptionSpec("missing_values", OptionType::string_list, default_missing_values(),
                 "raw values that mean missing; they are read as empty strings"),
      OptionSpec("strip_suffix", OptionType::string, "",
                 "removed from the end of every field (UCI Adult's test labels end in \".\")"),
  };
}

CsvTableReader::CsvTableReader(const Options& o)
    : path_(o.string("path")),
      test_path_(o.string("test_path")),
      split_column_(o.string("split_column")),
      strip_suffix_(o.string("strip_suffix")),
      comment_(o.string("comment")),
      delimiter_(parse_delimiter(o.string("delimiter"), o.path() + ".delimiter")),
      header_(o.boolean("header")),
      quoting_(o.boolean("quoting")),
      column_names_(o.strings("column_names")),
      missing_(o.strings("missing_values")),
      valid_pct_(o.number("valid_pct")),
      seed_(static_cast<uint64_t>(o.integer("seed"))) {
  if (!header_ && column_names_.empty()) {
    throw o.error("column_names", "header is false, so name the columns (column_names: [\"age\", ...])");
  }
  if ((!test_path_.empty() || valid_pct_ > 0) && split_column_.empty()) {
    throw o.error("split_column", "must name a column when test_path or valid_pct is given");
  }
}

std::string CsvTableReader::clean(const std::string& field) const {
  std::string_view value = trim(field);
  if (!strip_suffix_.empty() && value.size() >= strip_suffix_.size() &&
      value.substr(value.size() - strip_suffix_.size()) == strip_suffix_) {
    value = trim(value.substr(0, value.size() - strip_suffix_.size()));
  }
  if (is_missing(value, missing_)) return {};
  return std::string(value);
}

Records CsvTableReader::read_file(const std::string& path, bool header) const {
  if (!std::filesystem::exists(path)) {
    throw DataError(fmt::format("tabular.csv: '{}' does not exist; check the recipe's path (relative paths are "
                                "relative to the recipe file)",
                                path));
  }
  CsvOptions options = csv_options(header);
  if (!header) options.column_names(column_names_);
  return read_csv_file(path, options);  // ragged rows: DataError naming file:line and both counts
}

CsvOptions CsvTableReader::csv_options(bool header) const {
  CsvOptions options;
  options.delimiter(delimiter_).header(header).trim(true).comment(comment_);
  if (!quoting_) options.quote('\0');
  return options;
}

// Whether the first line of `path` holds only names of the recipe's columns: a header, as the table
// files `adapt predict` takes have, in a reader whose own files have none (UCI Adult).
bool CsvTableReader::names_the_columns(const std::string& path) const {
  if (header_ || column_names_.empty()) return false;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line) && (line.find_first_not_of(" \t\r") == std::string::npos ||
                                    (!comment_.empty() && line.rfind(comment_, 0) == 0))) {
  }
  CsvTokenizer tokenizer(line + "\n", path, csv_options(false));
  CsvRow first;
  if (!tokenizer.next(first) || first.fields.empty()) return false;
  return std::all_of(first.fields.begin(), first.fields.end(), [&](const std::string& f) {
    return std::find(column_names_.begin(), column_names_.end(), f) != column_names_.end();
  });
}

Records CsvTableReader::read() const {
  const Records train = read_file(path_);
  Records test;
  const bool add_split = !test_path_.empty() || valid_pct_ > 0;
  std::vector<std::string> names = train.column_names();
  if (!test_path_.empty()) {
    test = read_file(test_path_);
    if (test.column_names() != train.column_names()) {
      throw DataError(fmt::format("tabular.csv: '{}' has columns [{}] but '{}' has [{}]; the test table needs the "
                                  "same columns in the same order",
                                  test_path_, fmt::join(test.column_names(), ", "), path_,
                                  fmt::join(train.column_names(), ", ")));
    }
  }
  if (add_split) {
    if (train.has_column(split_column_)) {
      throw DataError(fmt::format("tabular.csv: '{}' already has a column '{}'; choose another split_column",
                                  path_, split_column_));
    }
    names.push_back(split_column_);
  }
  // A seeded sample of the training file's rows becomes "valid" (exactly round(pct * n) rows).
  std::vector<char> is_valid(train.size(), 0);
  if (valid_pct_ > 0) {
    std::vector<size_t> order(train.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 engine(seed_);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[engine() % i]);  // portable shuffle
    const auto n_valid = static_cast<size_t>(std::llround(valid_pct_ * static_cast<double>(train.size())));
    for (size_t i = 0; i < n_valid; ++i) is_valid[order[i]] = 1;
  }
  Records out(names, test_path_.empty() ? path_ : path_ + " + " + test_path_);
  const auto append = [&](const Records& part, bool is_test) {
    const size_t n_columns = part.column_names().size();
    for (size_t r = 0; r < part.size(); ++r) {
      std::vector<std::string> fields;
      fields.reserve(n_columns + 1);
      for (size_t c = 0; c < n_columns; ++c) fields.push_back(clean(part.at(r, c)));
      if (add_split) fields.emplace_back(is_test ? "test" : is_valid[r] ? "valid" : "train");
      out.add_row(std::move(fields), part.origin(r));
    }
  };
  append(train, false);
  if (!test_path_.empty()) append(test, true);
  if (out.empty()) throw DataError(fmt::format("tabular.csv: '{}' has no data rows", path_));
  return out;
}

Records CsvTableReader::read_inputs(const std::vector<std::string>& inputs, const std::string&) const {
  // Rows as name -> value maps first: inputs may name different columns.
  std::vector<std::map<std::string, std::string>> rows;
  std::vector<std::string> origins, names;
  const auto note = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  CsvOptions row_options;
  row_options.delimiter(delimiter_).header(false).trim(true).quote('"');
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& input = inputs[i];
    // The error_code form: a long row ("name=value,..." past 255 bytes) is no file name, not an error.
    std::error_code not_a_file;
    if (std::filesystem::is_regular_file(input, not_a_file)) {
      const Records file = read_file(input, header_ || names_the_columns(input));
      for (const auto& name : file.column_names()) note(name);
      for (size_t r = 0; r < file.size(); ++r) {
        std::map<std::string, std::string> row;
        for (size_t c = 0; c < file.column_names().size(); ++c) row[file.column_names()[c]] = clean(file.at(r, c));
        rows.push_back(std::move(row));
        origins.push_back(file.origin(r));
      }
      continue;
    }
    const std::string origin = fmt::format("input {}", i + 1);
    CsvTokenizer tokenizer(input, origin, row_options);
    CsvRow parsed;
    if (!tokenizer.next(parsed)) throw DataError(fmt::format("tabular.csv: {} is empty; give a CSV row or file", origin));
    std::map<std::string, std::string> row;
    const bool named = std::all_of(parsed.fields.begin(), parsed.fields.end(),
                                   [](const std::string& f) { return f.find('=') != std::string::npos; });
    if (named) {
      for (const auto& field : parsed.fields) {
        const size_t eq = field.find('=');
        const std::string name(trim(std::string_view(field).substr(0, eq)));
        row[name] = clean(field.substr(eq + 1));
        note(name);
      }
    } else {
      if (column_names_.empty()) {
        throw DataError(fmt::format("tabular.csv: {} '{}' is a plain row, but this table's column order is only "
                                    "known from its header; write it as \"column=value,column=value,...\" or "
                                    "give a CSV file with a header",
                                    origin, input));
      }
      if (parsed.fields.size() > column_names_.size()) {
        throw DataError(fmt::format("tabular.csv: {} has {} fields but the table has {} columns ({})", origin,
                                    parsed.fields.size(), column_names_.size(), fmt::join(column_names_, ", ")));
      }
      for (size_t c = 0; c < parsed.fields.size(); ++c) {
        row[column_names_[c]] = clean(parsed.fields[c]);
        note(column_names_[c]);
      }
    }
    rows.push_back(std::move(row));
    origins.push_back(origin);
  }
  Records out(names, "prediction inputs");
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<std::string> fields;
    for (const auto& name : names) {
      auto it = rows[r].find(name);
      fields.push_back(it == rows[r].end() ? std::string() : it->second);
    }
    out.add_row(std::move(fields), origins[r]);
  }
  return out;
}

void register_readers(Registry& registry) {
  registry.add_reader("tabular.csv", "a table from CSV, with missing markers and an optional separate test file",
                      csv_reader_schema(), [](const Options& o) { return std::make_shared<CsvTableReader>(o); });
}

}  // namespace adapt::tabular
