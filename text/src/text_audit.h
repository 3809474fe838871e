#pragma once
// The text plugin's part of `adapt inspect` (Block::audit): length distribution, empty texts, invalid
// UTF-8 and, for a tokenizing block, how many texts max_tokens truncates.
#include <functional>
#include <string>
#include <vector>

#include "adapt/data/records.h"
#include "adapt/common/options.h"

namespace adapt::text {

// `token_count(row)` (may be empty) counts a row's tokens before truncation to `max_tokens`.
json audit_texts(const Records& records, const std::vector<std::string>& columns, const std::vector<size_t>& rows,
                 const std::function<size_t(size_t)>& token_count, int64_t max_tokens);

}  // namespace adapt::text
