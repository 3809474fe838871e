#pragma once
// Writing CSV, the counterpart of csv.h's reader: RFC 4180 quoting (a field is quoted only when it
// holds the delimiter, a quote or a line break, starts with a UTF-8 byte order mark, or is a row's
// only field and empty; quotes inside are doubled), lines end with "\n".
// Every CSV file adapt writes goes through these, so csv.h reads each of them back unchanged.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

ADAPT_API std::string csv_field(const std::string& value, char delimiter = ',');
// One record: the fields quoted as needed, joined by the delimiter, ended by "\n".
ADAPT_API std::string csv_row(const std::vector<std::string>& fields, char delimiter = ',');
// Appends one record, as csv_row writes it, to `out`: no string per field or row (for many rows).
ADAPT_API void append_csv_row(std::string& out, std::initializer_list<std::string_view> fields, char delimiter = ',');
// A whole table, one csv_row per row.
ADAPT_API std::string csv_text(const std::vector<std::vector<std::string>>& rows, char delimiter = ',');

}  // namespace adapt
