#include "table_inputs.h"

#include <adapt/data/csv.h>
#include <adapt/data/json_lines.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>

namespace adapt::cli {

namespace fs = std::filesystem;

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::string& strip_cr(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t") == std::string::npos; }

namespace {

// What a table's header lacks of the model's columns, as the reason a row cannot be read; empty
// when every column is there.
std::string missing_columns(const std::vector<std::string>& header, const std::vector<std::string>& columns) {
  constexpr size_t kNamed = 6;  // a header of another table lacks them all: name a few
  std::string missing;
  size_t count = 0;
  for (const auto& c : columns)
    if (std::find(header.begin(), header.end(), c) == header.end() && ++count <= kNamed)
      missing += (missing.empty() ? "\"" : ", \"") + c + "\"";
  if (count == 0) return {};
  if (count > kNamed) missing += " and " + std::to_string(count - kNamed) + " more";
  std::string all;
  for (const auto& c : columns) all += (all.empty() ? "" : ",") + c;
  return "the header has no column " + missing + "; the model reads " + all +
         ": name them in the first line (in any order; other columns are left alone)";
}

// JSON lines: each record one object with the model's columns (null: missing).
Records parse_json_lines(const std::vector<std::string>& lines, const std::vector<std::string>& origins,
                         const std::vector<size_t>& items, const std::vector<std::string>& columns) {
  Records out(columns, "input");
  for (size_t i : items) out.add_row(json_line_fields(lines[i], origins[i], columns), origins[i]);
  return out;
}

// CSV/TSV rows under their header; each record's text may span lines (quoted newlines). The fields
// move from the tokenizer into the records: no table in between. Not read_csv with its column
// selection: its errors and origins would count lines inside this chunk's text, not the file's.
Records parse_table_rows(const std::string& header, const std::string& header_origin, const std::vector<std::string>& rows,
                         const std::vector<std::string>& origins, const std::vector<size_t>& items, char delimiter,
                         const std::vector<std::string>& columns) {
  const std::string& first = origins[items.front()];
  std::string text = header + "\n";
  for (size_t i : items) text.append(rows[i]).append("\n");
  CsvTokenizer tokenizer(std::move(text), first, CsvOptions().delimiter(delimiter));
  CsvRow row;
  tokenizer.next(row);
  const size_t width = row.fields.size();
  if (std::string missing = missing_columns(row.fields, columns); !missing.empty())
    throw DataError(header_origin + ": " + missing);
  std::vector<size_t> positions;
  for (const auto& c : columns)
    positions.push_back(static_cast<size_t>(std::find(row.fields.begin(), row.fields.end(), c) - row.fields.begin()));
  Records out(columns, "input");
  for (size_t r = 0; tokenizer.next(row); ++r) {
    if (r == items.size()) throw DataError(first + ": the rows do not parse one by one");
    const std::string& origin = origins[items[r]];
    if (row.fields.size() != width)
      throw DataError(origin + ": expected " + std::to_string(width) + " fields (one per column of the header) but found " +
                      std::to_string(row.fields.size()) + "; quote fields that contain the delimiter, or fix the row");
    std::vector<std::string> fields;
    fields.reserve(positions.size());
    for (size_t position : positions) fields.push_back(std::move(row.fields[position]));
    out.add_row(std::move(fields), origin);
  }
  if (out.size() != items.size()) throw DataError(first + ": the rows do not parse one by one");
  return out;
}

// Reads one record's text: more lines while a quote is open.
bool next_record(std::istream& in, std::string& record, size_t& line, std::string& text) {
  while (std::getline(in, text)) {
    ++line;
    strip_cr(text);
    if (record.empty() && blank(text)) continue;
    if (!record.empty()) record += '\n';
    record += text;
    if (std::count(record.begin(), record.end(), '"') % 2 == 0) return true;
  }
  return !record.empty();
}

// "file:line", made in one allocation: a million rows' names took a fifth of a second as
// source + ":" + std::to_string(line), on the thread that feeds the predicting workers.
std::string origin_of(const std::string& source, size_t line) {
  char digits[24];
  const char* end = std::to_chars(digits, digits + sizeof digits, line).ptr;
  std::string origin;
  origin.reserve(source.size() + 1 + static_cast<size_t>(end - digits));
  origin.append(source).append(1, ':').append(digits, static_cast<size_t>(end - digits));
  return origin;
}

}  // namespace

void stream_table(std::istream& in, const std::string& source, const std::string& format,
                  const std::vector<std::string>& columns, const std::function<void(Chunk&&)>& emit,
                  std::string first_line, size_t line) {
  std::string header;
  if (format != "jsonl") {
    header = first_line;
    while (header.empty() && std::getline(in, header)) ++line, strip_cr(header);
    if (blank(header)) return;
  }
  const char delimiter = format == "tsv" ? '\t' : ',';
  const std::string header_origin = origin_of(source, line);
  size_t rows_read = 0;
  std::string text;  // each physical line, read into one buffer
  for (bool more = true; more;) {
    auto rows = std::make_shared<std::vector<std::string>>();
    auto origins = std::make_shared<std::vector<std::string>>();
    rows->reserve(kChunkRows);
    origins->reserve(kChunkRows);
    if (format == "jsonl" && !first_line.empty()) {
      rows->push_back(first_line), origins->push_back(origin_of(source, line));
      first_line.clear();
    }
    for (std::string record; rows->size() < kChunkRows; record.clear()) {
      const size_t start = line + 1;
      if (!(more = next_record(in, record, line, text))) break;
      origins->push_back(origin_of(source, start));
      rows->push_back(std::move(record));
    }
    if (rows->empty()) break;
    rows_read += rows->size();
    Chunk chunk{origins, nullptr};
    if (format == "jsonl")
      chunk.parse = [=](const std::vector<size_t>& items) { return parse_json_lines(*rows, *origins, items, columns); };
    else
      chunk.parse = [=](const std::vector<size_t>& items) {
        return parse_table_rows(header, header_origin, *rows, *origins, items, delimiter, columns);
      };
    emit(std::move(chunk));
  }
  // A header and nothing under it: no row reports what is wrong with the header, so it is reported
  // here (a file that is not a table at all reads as one line of header).
  if (rows_read == 0 && format != "jsonl") {
    CsvTokenizer tokenizer(header + "\n", header_origin, CsvOptions().delimiter(delimiter));
    CsvRow fields;
    tokenizer.next(fields);
    if (std::string missing = missing_columns(fields.fields, columns); !missing.empty())
      throw DataError(header_origin + ": " + missing + "; no rows follow it");
  }
}

void stream_table_file(const std::string& file_name, const std::vector<std::string>& columns,
                       const std::function<void(Chunk&&)>& emit) {
  std::ifstream in(file_name, std::ios::binary);
  if (!in) throw DataError(file_name + ": cannot open it for reading; check the path and its permissions");
  const std::string ext = lower_extension(file_name);
  stream_table(in, file_name, ext == ".tsv" ? "tsv" : ext == ".csv" ? "csv" : "jsonl", columns, emit);
}

bool all_table_files(const std::vector<std::string>& inputs) {
  return !inputs.empty() && std::all_of(inputs.begin(), inputs.end(), [](const std::string& i) {
    const std::string ext = lower_extension(i);
    return (ext == ".csv" || ext == ".tsv" || ext == ".jsonl" || ext == ".ndjson") && fs::is_regular_file(i);
  });
}

}  // namespace adapt::cli
