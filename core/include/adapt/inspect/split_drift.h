#pragma once
// Training split against validation and test: labels seen only there, label shift, drift of every input
// column (Evidently's defaults: a KS or chi-squared test while the smaller of the two samples has at
// most InspectOptions::small_sample rows, a Wasserstein or Jensen-Shannon distance above), categories
// new to the training split, and rows whose inputs repeat a training row exactly or once case,
// punctuation and spacing are ignored.
#include "adapt/inspect/findings.h"
#include "adapt/inspect/inspect_input.h"

namespace adapt {

// Adds report.sections["splits"] and ["drift"] and their findings.
ADAPT_API void check_splits(const InspectInput& in, const InspectOptions& options, InspectReport& report);

// {"method", "statistic", "threshold", "drift"} comparing `current` rows of a column with `reference`
// rows; numeric columns by their numbers, others by category counts.
ADAPT_API json column_drift(const Records& records, size_t column, bool numeric, const std::vector<size_t>& reference,
                            const std::vector<size_t>& current, const InspectOptions& options);

}  // namespace adapt
