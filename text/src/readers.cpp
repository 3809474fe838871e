#include "readers.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "adapt/common/error.h"
#include "adapt/data/csv.h"
#include "register.h"
#include "utf8.h"

namespace fs = std::filesystem;

namespace adapt::text {
namespace {

std::string read_file(const fs::path& path, const std::string& component) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(fmt::format("{}: cannot open '{}'; check the path (relative paths are relative to the "
                                "recipe file)",
                                component, path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string strip_cr(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

char pick_delimiter(const std::string& value, const fs::path& path, const std::string& first_line) {
  if (value != "auto") return adapt::parse_delimiter(value, "reader.delimiter");
  const auto ext = path.extension().string();
  if (ext == ".tsv" || ext == ".tab") return '\t';
  if (ext == ".csv") return ',';
  return first_line.find('\t') != std::string::npos ? '\t' : ',';
}

struct RawLine {
  std::vector<std::string> fields;
  size_t line;  // 1-based line where the record starts
};

// Quoted files go through the core's RFC 4180 tokenizer (adapt/csv.h); unquoted ones are split by
// line, then on the first delimiters only, so the last column may hold the delimiter.
std::vector<RawLine> split_records(const std::string& content, const std::string& file, char delimiter,
                                   bool quoting, size_t max_fields) {
  std::vector<RawLine> out;
  if (quoting) {
    CsvTokenizer tokenizer(content, file, CsvOptions().delimiter(delimiter).header(false));
    CsvRow row;
    while (tokenizer.next(row)) out.push_back({row.fields, row.line});
    return out;
  }
  size_t line = 0, start = 0;
  while (start <= content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    ++line;
    auto text = strip_cr(content.substr(start, end - start));
    if (!text.empty())
      out.push_back({split_delimited(text, delimiter, false, max_fields, file + ":" + std::to_string(line)), line});
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> split_delimited(const std::string& line, char delimiter, bool quoting,
                                         size_t max_fields, const std::string& where) {
  if (quoting) {
    CsvTokenizer tokenizer(line, where, CsvOptions().delimiter(delimiter).header(false));
    CsvRow row;
    if (!tokenizer.next(row)) return {""};
    return row.fields;
  }
  std::vector<std::string> fields;
  size_t start = 0;
  while (fields.size() + 1 < max_fields) {
    const size_t end = line.find(delimiter, start);
    if (end == std::string::npos) break;
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  fields.push_back(line.substr(start));
  return fields;
}

Records CsvReader::read() const {
  const std::string component = "text.csv";
  const auto content = read_file(options_.path, component);
  const std::string file = options_.path.string();
  const char delimiter =
      pick_delimiter(options_.delimiter, options_.path, content.substr(0, content.find('\n')));

  std::vector<std::string> names = options_.column_names;
  if (options_.header) {
    const auto first_line = strip_cr(content.substr(0, content.find('\n')));
    if (first_line.empty())
      throw DataError(fmt::format("{}: '{}' is empty or starts with a blank line; it needs a header line", component,
                                  file));
    names = split_delimited(first_line, delimiter, true, SIZE_MAX, file + ":1");
  }
  if (names.empty())
    throw OptionError("reader.column_names: the file has no header; name its columns, e.g. [\"label\", \"text\"]");
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size())
    throw DataError(fmt::format("{}: '{}' has duplicate column names ({}); rename them", component, file, join(names)));
  const auto require = [&](const std::string& column, const std::string& option) {
    if (std::find(names.begin(), names.end(), column) == names.end())
      throw DataError(fmt::format("{}: '{}' has no column '{}' (option {}); its columns are: {}. Fix the option "
                                  "or the file's header",
                                  component, file, column, option, join(names)));
  };
  for (const auto& c : options_.text_columns) require(c, "text_columns");
  if (!options_.label_column.empty()) require(options_.label_column, "label_column");
  auto lines = split_records(content, file, delimiter, options_.quoting, names.size());
  const size_t first = options_.header && !lines.empty() ? 1 : 0;

  std::vector<bool> is_text(names.size(), false);
  for (size_t i = 0; i < names.size(); ++i)
    is_text[i] = std::find(options_.text_columns.begin(), options_.text_columns.end(), names[i]) !=
                 options_.text_columns.end();

  Records records(names, file);
  std::set<std::vector<std::string>> seen;
  duplicates_dropped_ = 0;
  for (size_t k = first; k < lines.size(); ++k) {
    const auto& raw = lines[k];
    const std::string where = fmt::format("{}:{}", file, raw.line);
    auto fields = raw.fields;
    if (fields.size() != names.size())
      throw DataError(fmt::format("{}: {}: expected {} fields ({}) separated by '{}', got {}. Check the "
                                  "delimiter option and quoting",
                                  component, where, names.size(), join(names),
                                  delimiter == '\t' ? std::string("\\t") : std::string(1, delimiter),
                                  fields.size()));
    for (size_t i = 0; i < fields.size(); ++i)
      fields[i] = checked_utf8(fields[i], is_text[i] ? options_.invalid_utf8 : "error",
                               fmt::format("{}: {} column '{}'", component, where, names[i]));
    if (!options_.label_column.empty()) {
      const auto& label = fields[records.column_index(options_.label_column)];
      if (label.empty())
        throw DataError(fmt::format("{}: {}: the label column '{}' is empty; give every row a label or drop the row",
                                    component, where, options_.label_column));
    }
    if (options_.drop_duplicates && !seen.insert(fields).second) {
      ++duplicates_dropped_;
      continue;
    }
    records.add_row(std::move(fields), where);
  }
  if (records.empty())
    throw DataError(fmt::format("{}: '{}' has no data rows", component, file));
  return records;
}

Records CsvReader::read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const {
  const std::string column = input_column.empty() ? options_.text_columns.front() : input_column;
  Records records({column}, "command line");
  for (size_t i = 0; i < inputs.size(); ++i)
    records.add_row({checked_utf8(inputs[i], options_.invalid_utf8, fmt::format("input {}", i + 1))},
                    fmt::format("input {}", i + 1));
  return records;
}

Records FolderReader::read() const {
  const std::string component = "text.folder";
  if (!fs::is_directory(options_.path))
    throw DataError(fmt::format("{}: '{}' is not a directory; give a folder holding one subfolder per class",
                                component, options_.path.string()));
  std::vector<fs::path> classes;
  for (const auto& entry : fs::directory_iterator(options_.path))
    if (entry.is_directory()) classes.push_back(entry.path());
  std::sort(classes.begin(), classes.end());
  Records records({"text", "label", "path"}, options_.path.string());
  for (const auto& dir : classes) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto ext = entry.path().extension().string();
      if (entry.is_regular_file() &&
          std::find(options_.extensions.begin(), options_.extensions.end(), ext) != options_.extensions.end())
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const auto text = checked_utf8(read_file(file, component), options_.invalid_utf8,
                                     fmt::format("{}: {}", component, file.string()));
      records.add_row({text, dir.filename().string(), file.string()}, file.string());
    }
  }
  if (records.empty())
    throw DataError(fmt::format("{}: '{}' holds no {} files in class subfolders (expected <path>/<class>/<file>)",
                                component, options_.path.string(), join(options_.extensions)));
  return records;
}

Records FolderReader::read_inputs(const std::vector<std::string>& inputs, const std::string&) const {
  // Inputs are paths of text files, like the training data.
  Records records({"text", "path"}, "command line");
  for (const auto& input : inputs) {
    const fs::path file(input);
    records.add_row({checked_utf8(read_file(file, "text.folder"), options_.invalid_utf8, "text.folder: " + input),
                     input},
                    input);
  }
  return records;
}

Records CorpusReader::read() const {
  const std::string component = "text.corpus";
  std::vector<fs::path> files;
  if (fs::is_directory(options_.path)) {
    for (const auto& entry : fs::directory_iterator(options_.path))
      if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
      throw DataError(fmt::format("{}: folder '{}' holds no .txt files", component, options_.path.string()));
  } else {
    files.push_back(options_.path);
  }
  Records records({"text"}, options_.path.string());
  for (const auto& file : files) {
    const auto content = read_file(file, component);
    std::string chunk;
    size_t line_number = 0, chunk_start = 1;
    std::istringstream in(content);
    std::string line;
    const auto flush = [&] {
      if (!chunk.empty()) records.add_row({chunk}, fmt::format("{}:{}", file.string(), chunk_start));
      chunk.clear();
    };
    while (std::getline(in, line)) {
      ++line_number;
      line = checked_utf8(strip_cr(line), options_.invalid_utf8,
                          fmt::format("{}: {}:{}", component, file.string(), line_number));
      if (line.empty()) continue;
      if (chunk.empty()) chunk_start = line_number;
      chunk += (chunk.empty() ? "" : "\n") + line;
      if (static_cast<int64_t>(chunk.size()) >= options_.chunk_chars) flush();
    }
    flush();  // chunks never cross files: each file is its own stream
  }
  if (records.empty())
    throw DataError(fmt::format("{}: '{}' holds no text", component, options_.path.string()));
  return records;
}

void register_readers(Registry& registry) {
  const auto utf8_spec = [] {
    return OptionSpec("invalid_utf8", OptionType::string, "error",
                      "invalid UTF-8 bytes: fail naming the file and line, or replace with U+FFFD")
        .choices({"error", "replace"});
  };
  registry.add_reader(
      "text.csv", "CSV/TSV with text column(s) and a label column",
      {OptionSpec("path", OptionType::string, nullptr, "the CSV/TSV file").required(),
       OptionSpec("delimiter", OptionType::string, "auto",
                  "\"auto\" (tab for .tsv, comma for .csv, else sniffed), \"tab\", or one character"),
       OptionSpec("header", OptionType::boolean, true, "the first line names the columns"),
       OptionSpec("column_names", OptionType::string_list, json::array(), "column names when there is no header"),
       OptionSpec("quoting", OptionType::boolean, true,
                  "RFC 4180 quotes; false splits on the first delimiters only (last column may hold them)"),
       OptionSpec("text_columns", OptionType::string_list, json::array({"text"}), "columns holding text"),
       OptionSpec("label_column", OptionType::string, "label", "the label column; \"\" for none"),
       utf8_spec(),
       OptionSpec("drop_duplicates", OptionType::boolean, false,
                  "drop exact duplicate rows before splitting (keeps the test split from leaking)")},
      [](const Options& o) {
        CsvReaderOptions c;
        c.path = o.string("path");
        c.delimiter = o.string("delimiter");
        c.header = o.boolean("header");
        c.column_names = o.strings("column_names");
        c.quoting = o.boolean("quoting");
        c.text_columns = o.strings("text_columns");
        if (c.text_columns.empty()) throw o.error("text_columns", "give at least one text column");
        c.label_column = o.string("label_column");
        c.invalid_utf8 = o.string("invalid_utf8");
        c.drop_duplicates = o.boolean("drop_duplicates");
        return std::make_shared<CsvReader>(c);
      });
  registry.add_reader("text.folder", "one subfolder per class of text files (columns text, label, path)",
                      {OptionSpec("path", OptionType::string, nullptr, "the folder").required(),
                       OptionSpec("extensions", OptionType::string_list, json::array({".txt"}),
                                  "file extensions read"),
                       utf8_spec()},
                      [](const Options& o) {
                        FolderReaderOptions f;
                        f.path = o.string("path");
                        f.extensions = o.strings("extensions");
                        f.invalid_utf8 = o.string("invalid_utf8");
                        return std::make_shared<FolderReader>(f);
                      });
  registry.add_reader("text.corpus", "plain text for language models, packed into contiguous chunks (column text)",
                      {OptionSpec("path", OptionType::string, nullptr, "a text file, or a folder of .txt files")
                           .required(),
                       OptionSpec("chunk_chars", OptionType::integer, 2000,
                                  "lines are packed into records of at least this many bytes")
                           .min(1),
                       utf8_spec()},
                      [](const Options& o) {
                        CorpusReaderOptions c;
                        c.path = o.string("path");
                        c.chunk_chars = o.integer("chunk_chars");
                        c.invalid_utf8 = o.string("invalid_utf8");
                        return std::make_shared<CorpusReader>(c);
                      });
}

}  // namespace adapt::text
