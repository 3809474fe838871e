#pragma once
// When prefetch_rows (adapt/common/memory.h) does anything: for a caller that prefetches row by row
// inside its loop, so that a table that fits in the cache costs it no call per row.
#include <cstdint>

namespace adapt::detail {

// Whether a [table_rows, width] float table is too large to stay in L2/L3 between steps.
bool rows_worth_prefetching(int64_t table_rows, int64_t width);

}  // namespace adapt::detail
