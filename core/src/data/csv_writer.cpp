#include "adapt/data/csv_writer.h"

namespace adapt {

namespace {

// Appends `value` to `out`, quoted as csv_field says; no temporary string per field.
void append_field(std::string& out, const std::string& value, char delimiter) {
  const char special[] = {delimiter, '"', '\r', '\n', '\0'};
  // A leading UTF-8 byte order mark is quoted too: at the start of a file the reader drops it.
  const bool bom = value.compare(0, 3, "\xEF\xBB\xBF") == 0;
  if (!bom && value.find_first_of(special) == std::string::npos) {
    out += value;
    return;
  }
  out += '"';
  for (size_t from = 0;;) {  // runs up to each quote, which is doubled
    const size_t quote = value.find('"', from);
    out.append(value, from, quote == std::string::npos ? std::string::npos : quote + 1 - from);
    if (quote == std::string::npos) break;
    out += '"';
    from = quote + 1;
  }
  out += '"';
}

}  // namespace

std::string csv_field(const std::string& value, char delimiter) {
  std::string out;
  append_field(out, value, delimiter);
  return out;
}

std::string csv_row(const std::vector<std::string>& fields, char delimiter) {
  // A lone empty field written bare is an empty line, which readers skip: the row would be lost.
  if (fields.size() == 1 && fields[0].empty()) return "\"\"\n";
  size_t size = fields.size() + 1;
  for (const auto& f : fields) size += f.size() + 2;
  std::string out;
  out.reserve(size);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += delimiter;
    append_field(out, fields[i], delimiter);
  }
  out += '\n';
  return out;
}

std::string csv_text(const std::vector<std::vector<std::string>>& rows, char delimiter) {
  std::string out;
  for (const auto& row : rows) out += csv_row(row, delimiter);
  return out;
}

}  // namespace adapt
