#pragma once
// Variety: for each group column (InspectOptions::groups: a speaker, a patient, a user), the rows of
// each group in each split. Warns when one group dominates a split, when a group appears only in
// validation or test (the model never trains on it), and when groups straddle train and valid/test
// (scores then measure groups the model has seen).
#include "adapt/inspect/findings.h"
#include "adapt/inspect/inspect_input.h"

namespace adapt {

// Adds report.sections["groups"]: {column: {"groups", "straddling", "counts": [{group, train, valid,
// test}]}}. Throws OptionError naming the available columns when a group column is not in the data.
ADAPT_API void check_groups(const InspectInput& in, const InspectOptions& options, InspectReport& report);

}  // namespace adapt
