// The data warnings every run prints (the cheap checks of the audit, inspect/), and the data fingerprint.
#include "adapt/run/data_warnings.h"

#include <algorithm>
#include <map>

#include "adapt/common/hash.h"
#include "adapt/inspect/inspect.h"

namespace adapt {

std::string data_hash(const Records& records) {
  uint64_t h = kFnv1aBasis;
  for (const auto& name : records.column_names()) h = fnv1a64_field(name, h);
  for (size_t c = 0; c < records.column_names().size(); ++c)
    for (size_t r = 0; r < records.size(); ++r) h = fnv1a64_field(records.at(r, c), h);
  return "fnv1a64:" + hex64(h);
}

std::vector<std::string> data_warnings(const Records& records, const SplitIndices& split, const DataBlocks& blocks,
                                       const InspectOptions& options) {
  return cheap_checks(inspect_input(records, split, blocks), options).warnings();
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
