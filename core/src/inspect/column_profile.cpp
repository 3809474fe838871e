#include "adapt/inspect/column_profile.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

namespace adapt {
namespace {

std::string trimmed(const std::string& v) {
  const auto b = v.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = v.find_last_not_of(" \t\r\n");
  return v.substr(b, e - b + 1);
}

}  // namespace

const char* to_string(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::numeric: return "numeric";
    case ColumnKind::categorical: return "categorical";
    case ColumnKind::text: return "text";
    case ColumnKind::empty: return "empty";
  }
  return "?";
}

bool is_missing_value(const std::string& value) {
  if (value.empty()) return true;
  if (value.size() > 6) return false;
  const std::string v = trimmed(value);
  return v.empty() || v == "?" || v == "NA" || v == "N/A" || v == "NaN" || v == "nan" || v == "null" || v == "NULL" ||
         v == "None";
}

std::optional<double> parse_number(const std::string& value) {
  if (value.empty() || value.size() > 64) return std::nullopt;
  const char* begin = value.c_str();
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(begin, &end);
  if (end == begin || errno == ERANGE || !std::isfinite(x)) return std::nullopt;
  while (*end == ' ' || *end == '\t' || *end == '\r') ++end;
  if (*end != '\0') return std::nullopt;
  return x;
}

ColumnProfile profile_column(const Records& records, size_t column, const std::vector<size_t>& rows,
                             const std::string& role) {
  ColumnProfile p;
  p.name = records.column_names().at(column);
  p.role = role;
  p.rows = rows.size();
  std::unordered_map<std::string, size_t> counts;
  const auto& values = records.column(column);
  for (size_t r : rows) {
    const std::string& v = values[r];
    if (is_missing_value(v)) {
      ++p.missing;
      continue;
    }
    if (parse_number(v)) ++p.numbers;
    ++counts[v];
  }
  p.distinct = counts.size();
  for (const auto& [v, n] : counts)
    if (n > p.top_count || (n == p.top_count && v < p.top_value)) p.top_value = v, p.top_count = n;
  const size_t present = p.rows - p.missing;
  if (present == 0) p.kind = ColumnKind::empty;
  else if (p.numbers * 100 >= present * 95 && p.distinct > 5) p.kind = ColumnKind::numeric;
  else if (p.distinct <= 50 || p.distinct * 2 <= present) p.kind = ColumnKind::categorical;
  else p.kind = ColumnKind::text;
  return p;
}

}  // namespace adapt
