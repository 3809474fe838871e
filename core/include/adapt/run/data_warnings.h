#pragma once
// Checks on the data that run before training and print warnings (docs/recipes.md).
#include <string>
#include <vector>

#include "adapt/data/data_blocks.h"
#include "adapt/data/records.h"
#include "adapt/data/splitter.h"
#include "adapt/inspect/inspect_input.h"
#include "adapt/inspect/integrity.h"  // kImbalancedMajorityShare

namespace adapt {

// "fnv1a64:<hex>" over every column name and value: identifies the data a run trained on.
std::string data_hash(const Records& records);
// What makes models fail, found before training: the warnings of the audit's cheap checks
// (cheap_checks in inspect/inspect.h; docs/inspect.md): imbalanced labels, a tiny training set, rare
// classes, labels seen only in valid/test, inputs shared between train and valid/test, duplicate rows,
// conflicting labels, single-value, mostly-missing and mixed-type columns, drift, new categories, a
// single column that predicts the target alone, and the groups of `options.groups`.
std::vector<std::string> data_warnings(const Records& records, const SplitIndices& split, const DataBlocks& blocks,
                                       const InspectOptions& options = {});

// The majority class's share of `rows` for a single-label classification target; 0 for other targets.
double majority_share(const Records& records, const std::vector<size_t>& rows, const DataBlocks& blocks);

}  // namespace adapt
