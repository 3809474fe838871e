#pragma once
// Integrity of the data as a whole, with Deepchecks' data-integrity suite as the model: a profile of
// every input, target and group column; single-value and mostly-missing columns; mixed types; numeric
// outliers; duplicate rows and conflicting labels (same inputs, different labels); and the training
// split's target: a tiny training set, heavily imbalanced labels, rare classes.
#include "adapt/inspect/findings.h"
#include "adapt/inspect/inspect_input.h"

namespace adapt {

// Labels are imbalanced when the majority class holds more than this share of the training rows:
// accuracy then flatters a constant prediction (the warning says so, and verdicts judge on MCC).
constexpr double kImbalancedMajorityShare = 0.8;

// Adds report.sections["columns"] and ["integrity"] and their findings.
ADAPT_API void check_integrity(const InspectInput& in, const InspectOptions& options, InspectReport& report);

// Hash of a row's values in `columns` (column indices), the key of duplicate and leakage checks.
ADAPT_API uint64_t row_key(const Records& records, const std::vector<size_t>& columns, size_t row);

// "12.3%"
ADAPT_API std::string percent(double fraction);

}  // namespace adapt
