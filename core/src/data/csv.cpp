#include "adapt/data/csv.h"

#include <fstream>
#include <sstream>
#include <unordered_map>

#include "adapt/common/predict_time.h"
#include "common/unreadable.h"

namespace adapt {

char parse_delimiter(const std::string& value, const std::string& path) {
  if (value == "tab" || value == "\\t" || value == "\t") return '\t';
  if (value.size() == 1 && value[0] != '\n' && value[0] != '\r' && value[0] != '"') return value[0];
  throw OptionError(path + ": must be one character (\",\", \";\", \"|\") or \"tab\", got \"" + value + "\"");
}

namespace {
bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_blank(s[b])) ++b;
  while (e > b && is_blank(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string read_all(std::istream& in, const std::string& source) {
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw DataError(source + ": read error; check the file and the disk");
  return buffer.str();
}
}  // namespace

CsvTokenizer::CsvTokenizer(std::istream& in, std::string source, const CsvOptions& options)
    : CsvTokenizer(read_all(in, source), std::move(source), options) {}

CsvTokenizer::CsvTokenizer(std::string text, std::string source, const CsvOptions& options)
    : text_(std::move(text)), source_(std::move(source)), options_(options) {
  if (options_.delimiter() == '\n' || options_.delimiter() == '\r' ||
      (options_.quote() != '\0' && options_.quote() == options_.delimiter())) {
    throw OptionError("csv: the delimiter must differ from the quote and from line breaks");
  }
  if (text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // UTF-8 byte order mark
}

bool CsvTokenizer::at_comment() const {
  const auto& prefix = options_.comment();
  return !prefix.empty() && text_.compare(pos_, prefix.size(), prefix) == 0;
}

void CsvTokenizer::skip_line() {
  while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
  if (pos_ < text_.size()) {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
}

bool CsvTokenizer::next(CsvRow& row) {
  const char delim = options_.delimiter();
  const char quote = options_.quote();
  const bool trim = options_.trim();
  const size_t n = text_.size();
  for (;;) {
    row.fields.clear();
    row.quote_opened = row.quote_closed = 0;
    if (pos_ >= n) return false;
    if (at_comment()) {
      skip_line();
      continue;
    }
    if (text_[pos_] == '\n' || text_[pos_] == '\r') {
      if (options_.skip_empty_lines()) {
        skip_line();
        continue;
      }
      row.line = line_;
      row.fields.emplace_back();
      skip_line();
      return true;
    }
    row.line = line_;
    std::string field;
    for (;;) {
      // Start of a field.
      field.clear();
      size_t look = pos_;
      if (trim) {
        while (look < n && is_blank(text_[look]) && text_[look] != delim) ++look;
      }
      if (quote != '\0' && look < n && text_[look] == quote) {
        // Quoted: read to the closing quote, across lines; a doubled quote is one quote.
        const size_t start_line = line_;
        pos_ = look + 1;
        for (;;) {
          if (pos_ >= n) {
            throw DataError(source_ + ":" + std::to_string(start_line) + ": field " +
                            std::to_string(row.fields.size() + 1) +
                            ": a quoted field opens here and is never closed (end of file reached); add the closing " +
                            std::string(1, quote) + " or double the quotes inside the field. " + csv_quoting_hint());
          }
          const char c = text_[pos_++];
          if (c == quote) {
            if (pos_ < n && text_[pos_] == quote) {
              field.push_back(quote);
              ++pos_;
              continue;
            }
            break;
          }
          if (c == '\n' || (c == '\r' && !(pos_ < n && text_[pos_] == '\n'))) ++line_;
          field.push_back(c);
        }
        if (line_ > start_line && row.quote_opened == 0) {
          row.quote_opened = start_line;
          row.quote_closed = line_;
        }
        while (trim && pos_ < n && is_blank(text_[pos_]) && text_[pos_] != delim) ++pos_;
        if (pos_ < n && text_[pos_] != delim && text_[pos_] != '\n' && text_[pos_] != '\r') {
          // Point at the opening quote: after a stray one, the closing quote is many lines further on.
          const std::string closed = line_ > start_line
                                         ? " (the quote opened here closes on line " + std::to_string(line_) + ")"
                                         : std::string();
          throw DataError(source_ + ":" + std::to_string(start_line) + ": field " +
                          std::to_string(row.fields.size() + 1) + ": unexpected character '" +
                          std::string(1, text_[pos_]) + "' after a closing quote" + closed +
                          "; quote the whole field and double the quotes inside it. " + csv_quoting_hint());
        }
      } else {
        const size_t begin = pos_;
        while (pos_ < n && text_[pos_] != delim && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
        field.assign(text_, begin, pos_ - begin);
        if (trim) field = trimmed(field);
      }
      row.fields.push_back(std::move(field));
      if (pos_ < n && text_[pos_] == delim) {
        ++pos_;
        continue;  // another field follows, possibly empty
      }
      skip_line();  // end of line or of input
      return true;
    }
  }
}

std::string csv_quoting_hint() {
  // An export's reader options are fixed: at predict time only the input can change.
  if (at_predict_time()) return "Fix the quoting of that input (a quoted field closes before its record ends)";
  return "If quotes in this file are ordinary characters (an apostrophe, inches), read them as text: "
         "\"quoting\": false (text.csv, tabular.csv) or \"quote\": \"\" (core.csv)";
}

Records read_csv(std::istream& in, const std::string& source, const CsvOptions& options) {
  CsvTokenizer tokenizer(in, source, options);
  return read_csv(tokenizer, source, options);
}

Records read_csv(CsvTokenizer& tokenizer, const std::string& source, const CsvOptions& options) {
  CsvRow row;
  std::vector<std::string> names = options.column_names();
  size_t header_line = 0;
  bool have_first = false;
  if (options.header()) {
    if (!tokenizer.next(row)) {
      throw DataError(source + ": the file is empty but a header row was expected; add a header or set header to false");
    }
    header_line = row.line;
    if (names.empty()) {
      names = row.fields;
    } else if (names.size() != row.fields.size()) {
      throw DataError(source + ":" + std::to_string(row.line) + ": header has " + std::to_string(row.fields.size()) +
                      " columns but " + std::to_string(names.size()) + " column names were given");
    }
    std::unordered_map<std::string, size_t> seen;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].empty()) names[i] = "column_" + std::to_string(i + 1);
      auto [it, inserted] = seen.emplace(names[i], i);
      if (!inserted) {
        throw DataError(source + ":" + std::to_string(row.line) + ": column name \"" + names[i] + "\" appears twice (columns " +
                        std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + "); rename one of them");
      }
    }
  } else if (names.empty()) {
    // Without a header the first record fixes the width; columns are "0", "1", ...
    if (tokenizer.next(row)) {
      have_first = true;
      for (size_t i = 0; i < row.fields.size(); ++i) names.push_back(std::to_string(i));
    }
  }

  // Column selection: positions of the wanted columns in the file.
  std::vector<size_t> picks;
  std::vector<std::string> out_names;
  if (options.columns().empty()) {
    for (size_t i = 0; i < names.size(); ++i) picks.push_back(i);
    out_names = names;
  } else {
    for (const auto& want : options.columns()) {
      size_t found = names.size();
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == want) found = i;
      }
      if (found == names.size()) {
        std::string have;
        for (const auto& n : names) have += (have.empty() ? "" : ", ") + ("\"" + n + "\"");
        throw DataError(source + (header_line ? ":" + std::to_string(header_line) : std::string()) + ": no column \"" +
                        want + "\"; the columns are " + have + "; fix `columns` or the header");
      }
      picks.push_back(found);
      out_names.push_back(want);
    }
  }

  Records records(out_names, source);
  auto add = [&](CsvRow& r) {
    if (r.fields.size() != names.size() && r.quote_opened != 0) {
      throw DataError(source + ":" + std::to_string(r.quote_opened) +
                      ": a quoted field opens here and closes on line " + std::to_string(r.quote_closed) +
                      ", so lines " + std::to_string(r.line) + "-" + std::to_string(r.quote_closed) +
                      " were read as one record of " + std::to_string(r.fields.size()) + " fields instead of " +
                      std::to_string(names.size()) + ". " + csv_quoting_hint());
    }
    if (r.fields.size() != names.size()) {
      throw DataError(source + ":" + std::to_string(r.line) + ": expected " + std::to_string(names.size()) +
                      " fields (one per column) but found " + std::to_string(r.fields.size()) +
                      "; quote fields that contain the delimiter, or fix the row");
    }
    std::vector<std::string> fields;
    fields.reserve(picks.size());
    for (size_t p : picks) fields.push_back(std::move(r.fields[p]));
    records.add_row(std::move(fields), source + ":" + std::to_string(r.line));
  };
  if (have_first) add(row);
  while (tokenizer.next(row)) add(row);
  return records;
}

Records read_csv_file(const std::string& path, const CsvOptions& options) {
  if (const std::string why = detail::unreadable(path); !why.empty()) throw DataError(path + ": " + why);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open the file for reading; check the path and its permissions");
  return read_csv(in, path, options);
}

Records parse_csv(const std::string& text, const std::string& source, const CsvOptions& options) {
  CsvTokenizer tokenizer(text, source, options);
  return read_csv(tokenizer, source, options);
}

}  // namespace adapt
