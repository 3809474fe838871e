#pragma once
// JSON lines as records: each line one object holding the wanted columns. Strings stay as they are,
// numbers and booleans as written, null is a missing (empty) value. Shared by `adapt predict`'s
// streaming and the Predictor's table inputs, so both accept and refuse the same lines.
#include <string>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

// The fields of `columns` from one line; throws DataError naming `where` (file:line) and the field.
ADAPT_API std::vector<std::string> json_line_fields(const std::string& line, const std::string& where,
                                                    const std::vector<std::string>& columns);

}  // namespace adapt
