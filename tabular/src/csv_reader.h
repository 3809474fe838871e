#pragma once
// tabular.csv: a table from CSV (core csv.h does the parsing). Fields are trimmed, the configured
// missing markers become empty strings, and an optional separate test file is appended with a split
// column ("train"/"valid"/"test", the valid rows a seeded sample of the training file) for
// core.by_column. Prediction inputs are CSV files or "col=value,..." rows.
#include "adapt/data/csv.h"
#include "adapt/data/reader.h"
#include "adapt/plugin/registry.h"

namespace adapt::tabular {

OptionSchema csv_reader_schema();

class CsvTableReader : public Reader {
 public:
  explicit CsvTableReader(const Options& options);
  Records read() const override;
  // Each input is a CSV file (read like `path`), "col=value,col=value,..." or, when column_names
  // are given, a plain CSV row in that column order (trailing columns such as the target may be left
  // out).
  Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const override;

 private:
  // `header`: the recipe's setting, or true for an input file whose first line names the columns.
  Records read_file(const std::string& path, bool header) const;
  Records read_file(const std::string& path) const { return read_file(path, header_); }
  bool names_the_columns(const std::string& path) const;
  CsvOptions csv_options(bool header) const;  // the recipe's delimiter, quoting, comments; trimmed
  std::string clean(const std::string& field) const;

  std::string path_, test_path_, split_column_, strip_suffix_, comment_;
  char delimiter_;
  bool header_, quoting_;
  std::vector<std::string> column_names_, missing_;
  double valid_pct_;
  uint64_t seed_;
};

}  // namespace adapt::tabular
