#include "adapt/data/csv_writer.h"

namespace adapt {

std::string csv_field(const std::string& value, char delimiter) {
  const char special[] = {delimiter, '"', '\r', '\n', '\0'};
  if (value.find_first_of(special) == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string csv_row(const std::vector<std::string>& fields, char delimiter) {
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
