#pragma once
// Text readers. Every text is checked for valid UTF-8 as it is read (invalid bytes are an error naming
// the file, line and column, or replaced with U+FFFD when invalid_utf8 is "replace").
//   text.csv     CSV/TSV: one or more text columns and a label column
//   text.folder  <path>/<class>/*.txt, one text per file
//   text.corpus  plain text for language modelling, packed into contiguous chunks
#include <filesystem>
#include <string>
#include <vector>

#include "adapt/data/reader.h"

namespace adapt::text {

// Splits one delimited line. With `quoting`, RFC 4180 double quotes (a field may span lines: the
// caller passes the whole record). Without, splits on the first `max_fields - 1` delimiters only, so
// the last field may hold the delimiter and quotes stay literal (the SMS Spam Collection's format).
std::vector<std::string> split_delimited(const std::string& line, char delimiter, bool quoting,
                                         size_t max_fields, const std::string& where);

struct CsvReaderOptions {
  std::filesystem::path path;
  std::string delimiter = "auto";  // "auto", ",", "\t" / "tab", ";", "|"
  bool header = true;
  std::vector<std::string> column_names;  // when there is no header
  bool quoting = true;
  std::vector<std::string> text_columns{"text"};
  std::string label_column = "label";  // "" for none (language modelling, prediction)
  std::string invalid_utf8 = "error";
  bool drop_duplicates = false;  // exact duplicate rows (every column) keep their first occurrence
};

class CsvReader : public Reader {
 public:
  explicit CsvReader(CsvReaderOptions options) : options_(std::move(options)) {}
  Records read() const override;
  Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const override;
  size_t duplicates_dropped() const { return duplicates_dropped_; }

 private:
  CsvReaderOptions options_;
  mutable size_t duplicates_dropped_ = 0;
};

struct FolderReaderOptions {
  std::filesystem::path path;
  std::vector<std::string> extensions{".txt"};
  std::string invalid_utf8 = "error";
};

class FolderReader : public Reader {
 public:
  explicit FolderReader(FolderReaderOptions options) : options_(std::move(options)) {}
  Records read() const override;
  Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const override;

 private:
  FolderReaderOptions options_;
};

struct CorpusReaderOptions {
  std::filesystem::path path;  // a file, or a folder whose *.txt files are read in name order
  int64_t chunk_chars = 2000;  // lines are packed into chunks of at least this many bytes
  std::string invalid_utf8 = "error";
};

class CorpusReader : public Reader {
 public:
  explicit CorpusReader(CorpusReaderOptions options) : options_(std::move(options)) {}
  Records read() const override;

 private:
  CorpusReaderOptions options_;
};

}  // namespace adapt::text
