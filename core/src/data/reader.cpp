// Reader's defaults, and SplitFilesReader (data/split_files_reader.h): official splits that come as
// separate files, read by one reader into one table with a split column.
#include "adapt/data/reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "data/split_files_reader.h"

namespace adapt {

Reader::~Reader() = default;

Records Reader::read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const {
  if (input_column.empty()) {
    throw OptionError("reader: read_inputs needs the name of the column the inputs fill; got an empty name");
  }
  Records records({input_column}, "command line");
  for (size_t i = 0; i < inputs.size(); ++i) records.add_row({inputs[i]}, "input " + std::to_string(i + 1));
  return records;
}

std::vector<std::string> Reader::predict_columns(const std::vector<std::string>& input_columns) const {
  return input_columns;
}

void Reader::complete(Records&) const {}

OptionSchema split_file_schema() {
  return {OptionSpec("test_path", OptionType::string, "",
                     "the official test file, read like path; its records get split_column \"test\""),
          OptionSpec("valid_path", OptionType::string, "",
                     "the official validation file, read like path; its records get split_column \"valid\""),
          OptionSpec("split_column", OptionType::string, "split",
                     "column added when test_path or valid_path is given: \"train\", \"valid\" or \"test\" (split "
                     "with core.by_column, the default splitter then)")};
}

bool core_reads_split_files(const OptionSchema& reader_schema) {
  auto has = [&](const std::string& name) {
    return std::any_of(reader_schema.begin(), reader_schema.end(),
                       [&](const OptionSpec& o) { return o.name() == name; });
  };
  return has("path") && !has("test_path") && !has("valid_path") && !has("split_column");
}

SplitFilesReader::SplitFilesReader(std::vector<SplitFile> files, std::string split_column)
    : files_(std::move(files)), split_column_(std::move(split_column)) {
  if (files_.empty() || files_.front().part != "train") throw Error("SplitFilesReader: the training file comes first");
  if (split_column_.empty())
    throw OptionError("reader.split_column: must name the column that says each record's part");
}

Records SplitFilesReader::read() const {
  std::vector<Records> parts;
  for (const auto& file : files_) {
    parts.push_back(file.reader->read());
    if (parts.back().empty())
      throw DataError(fmt::format("reader: the {} file '{}' holds no records; check reader.{}", file.part, file.path,
                                  file.part == "train" ? "path" : file.part + "_path"));
  }
  const std::vector<std::string>& names = parts.front().column_names();
  for (size_t i = 1; i < parts.size(); ++i)
    if (parts[i].column_names() != names)
      throw DataError(
          fmt::format("reader: the {} file '{}' has columns [{}] but the training file '{}' has [{}]; the "
                      "files of one data set need the same columns in the same order",
                      files_[i].part, files_[i].path, fmt::join(parts[i].column_names(), ", "), files_.front().path,
                      fmt::join(names, ", ")));
  if (parts.front().has_column(split_column_))
    throw DataError(fmt::format("reader: '{}' already has a column \"{}\"; set reader.split_column to another name",
                                files_.front().path, split_column_));
  std::vector<std::string> out_names = names;
  out_names.push_back(split_column_);
  std::string source;
  for (size_t i = 0; i < parts.size(); ++i) source += (i ? " + " : "") + parts[i].source();
  Records out(out_names, source);
  for (size_t i = 0; i < parts.size(); ++i)
    for (size_t row = 0; row < parts[i].size(); ++row) {
      std::vector<std::string> fields;
      fields.reserve(out_names.size());
      for (size_t c = 0; c < names.size(); ++c) fields.push_back(parts[i].at(row, c));
      fields.push_back(files_[i].part);
      out.add_row(std::move(fields), parts[i].origin(row));
    }
  return out;
}

Records SplitFilesReader::read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const {
  return files_.front().reader->read_inputs(inputs, input_column);
}

std::vector<std::string> SplitFilesReader::predict_columns(const std::vector<std::string>& input_columns) const {
  return files_.front().reader->predict_columns(input_columns);
}

void SplitFilesReader::complete(Records& records) const { files_.front().reader->complete(records); }

}  // namespace adapt
