#include "export/predict_inputs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "adapt/common/options.h"
#include "adapt/data/csv.h"
#include "adapt/data/json_lines.h"

namespace adapt {
namespace {

std::string extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

void add_json_lines(Records& out, const std::string& file, const std::vector<std::string>& columns) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file + ": cannot open it for reading; check the path and its permissions");
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = file + ":" + std::to_string(number);
    std::vector<std::string> fields = json_line_fields(line, where, columns);
    out.add_row(std::move(fields), where);
  }
}

void add_csv_rows(Records& out, const std::string& file, const std::vector<std::string>& columns) {
  CsvOptions options;
  if (extension(file) == ".tsv") options.delimiter('\t');
  const Records table = read_csv_file(file, options);
  for (const auto& c : columns)
    if (!table.has_column(c))
      throw DataError(file + ": no column \"" + c + "\" in its header; the model reads " + listed(columns));
  std::vector<size_t> at;
  for (const auto& c : columns) at.push_back(table.column_index(c));
  for (size_t row = 0; row < table.size(); ++row) {
    std::vector<std::string> fields;
    for (size_t i : at) fields.push_back(table.at(row, i));
    out.add_row(std::move(fields), table.origin(row));
  }
}

}  // namespace

bool is_table_file(const std::string& input) {
  const std::string ext = extension(input);
  std::error_code ec;
  return (ext == ".csv" || ext == ".tsv" || ext == ".jsonl" || ext == ".ndjson") &&
         std::filesystem::is_regular_file(input, ec);
}

bool is_json_lines_file(const std::string& input) {
  const std::string ext = extension(input);
  return (ext == ".jsonl" || ext == ".ndjson") && is_table_file(input);
}

Records read_table_inputs(const std::vector<std::string>& files, const std::vector<std::string>& columns) {
  Records out(columns, files.size() == 1 ? files.front() : "input tables");
  for (const auto& file : files) {
    if (!is_table_file(file))
      throw DataError("predict: \"" + file + "\" is not a table file, but other inputs are; give either table files "
                      "(.csv, .tsv, .jsonl) or raw inputs, not both");
    const std::string ext = extension(file);
    if (ext == ".jsonl" || ext == ".ndjson")
      add_json_lines(out, file, columns);
    else
      add_csv_rows(out, file, columns);
  }
  return out;
}

Records parse_row_inputs(const std::vector<std::string>& inputs, const std::vector<std::string>& columns) {
  Records rows(columns, "command line");
  const std::string expected = listed(columns);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string origin = "input " + std::to_string(i + 1);
    Records parsed = parse_csv(inputs[i], origin, CsvOptions().header(false).trim(true));
    if (parsed.size() != 1)
      throw DataError("predict: " + origin + " \"" + inputs[i] + "\" must be one CSV row of " +
                      std::to_string(columns.size()) + " values");
    std::vector<std::string> fields;
    for (size_t c = 0; c < parsed.column_names().size(); ++c) fields.push_back(parsed.at(0, c));
    const bool named = !fields.empty() && std::all_of(fields.begin(), fields.end(), [](const std::string& f) {
      return f.find('=') != std::string::npos;
    });
    std::vector<std::string> values(columns.size());
    if (named) {
      std::vector<bool> seen(columns.size(), false);
      for (const auto& f : fields) {
        const std::string key = f.substr(0, f.find('=')), value = f.substr(f.find('=') + 1);
        auto it = std::find(columns.begin(), columns.end(), key);
        if (it == columns.end())
          throw DataError("predict: " + origin + " names the column \"" + key + "\", which the model does not read; its columns are " + expected);
        values[static_cast<size_t>(it - columns.begin())] = value;
        seen[static_cast<size_t>(it - columns.begin())] = true;
      }
      for (size_t c = 0; c < columns.size(); ++c)
        if (!seen[c]) throw DataError("predict: " + origin + " gives no value for the column \"" + columns[c] + "\" (columns: " + expected + ")");
    } else {
      if (fields.size() != columns.size())
        throw DataError("predict: " + origin + " has " + std::to_string(fields.size()) + " values but the model reads " +
                        std::to_string(columns.size()) + " columns (" + expected + "); give them in that order, as name=value pairs, " +
                        "or a table file (.csv, .jsonl) with these columns");
      values = fields;
    }
    rows.add_row(values, origin);
  }
  return rows;
}

}  // namespace adapt
