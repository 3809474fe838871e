// Data checks that predict failure before training starts, and the data fingerprint of a run.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_set>

#include "adapt/run/data_warnings.h"

#include "adapt/common/hash.h"

namespace adapt {
namespace {

std::string pct(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * fraction);
  return buf;
}

}  // namespace

std::string data_hash(const Records& records) {
  uint64_t h = kFnv1aBasis;
  for (const auto& name : records.column_names()) h = fnv1a64_field(name, h);
  for (size_t c = 0; c < records.column_names().size(); ++c)
    for (size_t r = 0; r < records.size(); ++r) h = fnv1a64_field(records.at(r, c), h);
  return "fnv1a64:" + hex64(h);
}

std::vector<std::string> data_warnings(const Records& records, const SplitIndices& split, const DataBlocks& blocks) {
  std::vector<std::string> warnings;
  const size_t n_train = split.train.size();
  if (n_train < 100)
    warnings.push_back("tiny training set: " + std::to_string(n_train) +
                       " rows; deep models need far more (expect the baseline to be as good or better)");

  const Block& target = *blocks.target().block;
  auto target_columns = target.columns();
  bool classification = !target.classes().empty() && target_columns.size() == 1;
  if (classification) {
    const auto& column = records.column(target_columns.front());
    std::map<std::string, size_t> counts;
    for (size_t r : split.train) ++counts[column[r]];
    if (!counts.empty() && n_train > 0) {
      auto majority = std::max_element(counts.begin(), counts.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
      double share = static_cast<double>(majority->second) / static_cast<double>(n_train);
      if (share > kImbalancedMajorityShare)
        warnings.push_back("heavily imbalanced labels: \"" + majority->first + "\" is " + pct(share) +
                           " of the training rows; accuracy will look high even for a constant prediction (use "
                           "f1/balanced_accuracy/mcc, or the weighted sampler)");
      std::vector<std::string> rare;
      for (const auto& [label, count] : counts)
        if (count < 10) rare.push_back("\"" + label + "\" (" + std::to_string(count) + ")");
      if (!rare.empty()) {
        std::string list;
        for (size_t i = 0; i < rare.size() && i < 10; ++i) list += (i ? ", " : "") + rare[i];
        if (rare.size() > 10) list += ", ...";
        warnings.push_back("classes with fewer than 10 training rows: " + list + "; they will rarely be predicted");
      }
    }
    for (const auto& [name, rows] : {std::pair<const char*, const std::vector<size_t>*>{"validation", &split.valid},
                                     {"test", &split.test}}) {
      std::set<std::string> unseen;
      for (size_t r : *rows)
        if (!counts.count(column[r])) unseen.insert(column[r]);
      if (!unseen.empty()) {
        std::string list;
        size_t i = 0;
        for (const auto& u : unseen) {
          if (i++ == 10) {
            list += ", ...";
            break;
          }
          list += (list.empty() ? "\"" : ", \"") + u + "\"";
        }
        warnings.push_back(std::string("labels seen only in ") + name + ": " + list +
                           "; the model cannot predict them (use a stratified split or more data)");
      }
    }
  }

  // Leakage: identical inputs in train and valid/test.
  auto columns = blocks.input_columns();
  if (!columns.empty()) {
    std::vector<size_t> indices;
    for (const auto& c : columns) indices.push_back(records.column_index(c));
    auto row_hash = [&](size_t r) {
      uint64_t h = kFnv1aBasis;
      for (size_t c : indices) h = fnv1a64_field(records.at(r, c), h);
      return h;
    };
    std::unordered_set<uint64_t> train_hashes;
    train_hashes.reserve(n_train * 2);
    for (size_t r : split.train) train_hashes.insert(row_hash(r));
    for (const auto& [name, rows] : {std::pair<const char*, const std::vector<size_t>*>{"validation", &split.valid},
                                     {"test", &split.test}}) {
      size_t shared = 0;
      for (size_t r : *rows) shared += train_hashes.count(row_hash(r));
      if (shared > 0)
        warnings.push_back("leakage: " + std::to_string(shared) + " of " + std::to_string(rows->size()) + " " + name +
                           " rows have inputs identical to a training row (" + pct(double(shared) / double(rows->size())) +
                           "); scores on them overstate generalisation (deduplicate, or use core.grouped)");
    }
  }
  return warnings;
}

double majority_share(const Records& records, const std::vector<size_t>& rows, const DataBlocks& blocks) {
  const Block& target = *blocks.target().block;
  const auto columns = target.columns();
  if (target.classes().empty() || columns.size() != 1 || target.loss() != "cross_entropy" || rows.empty()) return 0;
  const auto& column = records.column(columns.front());
  std::map<std::string, size_t> counts;
  size_t majority = 0;
  for (size_t r : rows) majority = std::max(majority, ++counts[column[r]]);
  return static_cast<double>(majority) / static_cast<double>(rows.size());
}

}  // namespace adapt
