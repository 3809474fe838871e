#pragma once
// Whether drift between two samples is judged by a test with a p-value (Kolmogorov-Smirnov,
// chi-squared) or by a distance (Wasserstein, Jensen-Shannon): by a test while either sample has at
// most `small_sample` rows. Evidently decides by the reference's size alone, but a distance measured
// on a handful of new rows is mostly noise (one row of UCI Adult's own training data "drifted" in
// every column), while a test's p-value accounts for the size of both samples.
#include <algorithm>
#include <cstddef>

namespace adapt::detail {

inline bool drift_by_test(size_t reference_rows, size_t current_rows, size_t small_sample) {
  return std::min(reference_rows, current_rows) <= small_sample;
}

}  // namespace adapt::detail
