#pragma once
// How the audit reads a raw column: which values are missing, which parse as numbers, and what kind of
// column it is (numeric, categorical, or free text / identifiers), from the values alone.
#include <optional>
#include <string>
#include <vector>

#include "adapt/data/records.h"

namespace adapt {

enum class ColumnKind {
  numeric,      // at least 95% of the present values are numbers, and more than 5 distinct ones
  categorical,  // few distinct values (at most 50, or at most half of the values)
  text,         // free text or identifiers (paths, ids): most values distinct
  empty,        // every value missing
};
ADAPT_API const char* to_string(ColumnKind kind);

// "", "?", "NA", "N/A", "NaN", "nan", "null", "NULL", "None" (after trimming spaces).
ADAPT_API bool is_missing_value(const std::string& value);
// The whole value as a finite number, else nothing.
ADAPT_API std::optional<double> parse_number(const std::string& value);

struct ColumnProfile {
  std::string name;
  std::string role;  // "input", "target", "group"
  size_t rows = 0, missing = 0, numbers = 0, distinct = 0;
  std::string top_value;  // the most common present value
  size_t top_count = 0;
  ColumnKind kind = ColumnKind::empty;
  double missing_share() const { return rows ? static_cast<double>(missing) / static_cast<double>(rows) : 0.0; }
};

// The profile of `column` over `rows`.
ADAPT_API ColumnProfile profile_column(const Records& records, size_t column, const std::vector<size_t>& rows,
                                       const std::string& role);

}  // namespace adapt
