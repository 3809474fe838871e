#pragma once
// CSV/TSV parsing shared by the core reader and by plugins' own readers: a header row or given
// names, any one-character delimiter ("tab" in options), RFC 4180 quoting (embedded delimiters,
// newlines and doubled quotes), column selection, and errors that name file:line and the column.
#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "adapt/data/records.h"

namespace adapt {

struct ADAPT_API CsvOptions {
  CsvOptions() = default;

#define ADAPT_CSV_ARG(type, name) \
  CsvOptions& name(type value) {  \
    name##_ = std::move(value);   \
    return *this;                 \
  }                               \
  const type& name() const { return name##_; }

  ADAPT_CSV_ARG(char, delimiter)
  // '\0' turns quoting off: quotes are ordinary characters (e.g. free text in a TSV).
  ADAPT_CSV_ARG(char, quote)
  // The first non-skipped line names the columns; otherwise `column_names` does, or "0", "1", ...
  ADAPT_CSV_ARG(bool, header)
  ADAPT_CSV_ARG(std::vector<std::string>, column_names)
  // Keep only these columns, in this order (empty: all). A missing one is a DataError.
  ADAPT_CSV_ARG(std::vector<std::string>, columns)
  // Strip spaces and tabs around unquoted fields (UCI-style "a, b, c").
  ADAPT_CSV_ARG(bool, trim)
  // Lines starting with this prefix are skipped (empty: none).
  ADAPT_CSV_ARG(std::string, comment)
  ADAPT_CSV_ARG(bool, skip_empty_lines)
#undef ADAPT_CSV_ARG

 private:
  char delimiter_ = ',';
  char quote_ = '"';
  bool header_ = true;
  std::vector<std::string> column_names_;
  std::vector<std::string> columns_;
  bool trim_ = false;
  std::string comment_;
  bool skip_empty_lines_ = true;
};

// "," ";" "|" "tab" or "\t" -> the character. Throws OptionError naming `path` otherwise.
char parse_delimiter(const std::string& value, const std::string& path = "delimiter");

struct CsvRow {
  std::vector<std::string> fields;
  size_t line = 0;  // 1-based line where the record starts
  // The first quoted field that ran across lines: the line its quote opened on and the line it closed
  // on (0: none). A stray quote swallows the lines up to the next one; errors point at where it opened.
  size_t quote_opened = 0, quote_closed = 0;
};

// How to read quotes as ordinary characters, for errors about quoting.
ADAPT_API std::string csv_quoting_hint();

// Tokenizer: one record per next(), quote-aware across lines. No header handling.
class ADAPT_API CsvTokenizer {
 public:
  // `source` names the input in errors (usually the file path). Reads `in` to the end.
  CsvTokenizer(std::istream& in, std::string source, const CsvOptions& options);
  CsvTokenizer(std::string text, std::string source, const CsvOptions& options);
  // Reads the next record; false at end of input. Throws DataError on an unterminated quote or
  // text after a closing quote.
  bool next(CsvRow& row);
  const std::string& source() const { return source_; }

 private:
  bool at_comment() const;
  void skip_line();

  std::string text_;
  size_t pos_ = 0;
  std::string source_;
  CsvOptions options_;
  size_t line_ = 1;
};

// Parses a whole table into Records (origins "file:line"). Every record must have one field per
// column: a ragged row is a DataError naming file:line and both counts.
ADAPT_API Records read_csv(CsvTokenizer& tokenizer, const std::string& source, const CsvOptions& options = {});
ADAPT_API Records read_csv(std::istream& in, const std::string& source, const CsvOptions& options = {});
ADAPT_API Records read_csv_file(const std::string& path, const CsvOptions& options = {});
ADAPT_API Records parse_csv(const std::string& text, const std::string& source, const CsvOptions& options = {});

}  // namespace adapt
