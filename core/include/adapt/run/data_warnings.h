#pragma once
// Checks on the data that run before training and print warnings (docs/recipes.md).
#include <string>
#include <vector>

#include "adapt/data/data_blocks.h"
#include "adapt/data/records.h"
#include "adapt/data/splitter.h"

namespace adapt {

// "fnv1a64:<hex>" over every column name and value: identifies the data a run trained on.
std::string data_hash(const Records& records);
// What makes models fail, found before training: heavily imbalanced labels (majority > 80%), a tiny
// training set (< 100 rows) or classes with < 10 training rows, labels seen only in valid/test, and
// inputs shared between train and valid/test (leakage, by hashing the input columns).
std::vector<std::string> data_warnings(const Records& records, const SplitIndices& split, const DataBlocks& blocks);

// Labels are imbalanced when the majority class holds more than this share of the training rows:
// accuracy then flatters a constant prediction, so verdicts judge on MCC or balanced accuracy.
constexpr double kImbalancedMajorityShare = 0.8;
// The majority class's share of `rows` for a single-label classification target; 0 for other targets.
double majority_share(const Records& records, const std::vector<size_t>& rows, const DataBlocks& blocks);

}  // namespace adapt
