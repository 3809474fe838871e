#include "adapt/data/csv_writer.h"

namespace adapt {

std::string csv_field(const std::string& value, char delimiter) {
  const char special[] = {delimiter, '"', '\r', '\n', '\0'};
  // A leading UTF-8 byte order mark is quoted too: at the start of a file the reader drops it.
  const bool bom = value.compare(0, 3, "\xEF\xBB\xBF") == 0;
  if (!bom && value.find_first_of(special) == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string csv_row(const std::vector<std::string>& fields, char delimiter) {
  // A lone empty field written bare is an empty line, which readers skip: the row would be lost.
  if (fields.size() == 1 && fields[0].empty()) return "\"\"\n";
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += delimiter;
    out += csv_field(fields[i], delimiter);
  }
  return out + "\n";
}

std::string csv_text(const std::vector<std::vector<std::string>>& rows, char delimiter) {
  std::string out;
  for (const auto& row : rows) out += csv_row(row, delimiter);
  return out;
}

}  // namespace adapt
