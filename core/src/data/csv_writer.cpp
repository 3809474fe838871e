#include "adapt/data/csv_writer.h"

#include <algorithm>

namespace adapt {

namespace {

// Appends `value` to `out`, quoted as csv_field says; no temporary string per field.
void append_field(std::string& out, std::string_view value, char delimiter) {
  // One memchr per special byte: find_first_of with a set runs memchr over the set for every byte of
  // the value (a quarter of `adapt predict`'s CSV formatting on MovieLens pairs).
  const char specials[] = {delimiter, '"', '\r', '\n'};
  const bool special = std::any_of(std::begin(specials), std::end(specials),
                                   [value](char c) { return value.find(c) != std::string_view::npos; });
  // A leading UTF-8 byte order mark is quoted too: at the start of a file the reader drops it.
  const bool bom = value.substr(0, 3) == "\xEF\xBB\xBF";
  if (!bom && !special) {
    out += value;
    return;
  }
  // Quoted, each quote doubled, written in place: a JSON field has a quote every few bytes.
  const auto quotes = static_cast<size_t>(std::count(value.begin(), value.end(), '"'));
  const size_t start = out.size();
  out.resize(start + value.size() + quotes + 2);
  char* to = &out[start];
  *to++ = '"';
  for (const char c : value) {
    *to++ = c;
    if (c == '"') *to++ = '"';
  }
  *to = '"';
}

// Appends the fields [first, last) as one record.
template <typename It>
void append_row(std::string& out, It first, It last, char delimiter) {
  // A lone empty field written bare is an empty line, which readers skip: the row would be lost.
  if (last - first == 1 && first->empty()) {
    out += "\"\"\n";
    return;
  }
  for (It f = first; f != last; ++f) {
    if (f != first) out += delimiter;
    append_field(out, *f, delimiter);
  }
  out += '\n';
}

}  // namespace

std::string csv_field(const std::string& value, char delimiter) {
  std::string out;
  append_field(out, value, delimiter);
  return out;
}

std::string csv_row(const std::vector<std::string>& fields, char delimiter) {
  size_t size = fields.size() + 1;
  for (const auto& f : fields) size += f.size() + 2;
  std::string out;
  out.reserve(size);
  append_row(out, fields.begin(), fields.end(), delimiter);
  return out;
}

void append_csv_row(std::string& out, std::initializer_list<std::string_view> fields, char delimiter) {
  append_row(out, fields.begin(), fields.end(), delimiter);
}

std::string csv_text(const std::vector<std::vector<std::string>>& rows, char delimiter) {
  std::string out;
  for (const auto& row : rows) out += csv_row(row, delimiter);
  return out;
}

}  // namespace adapt
