// The data warnings every run prints (the cheap checks of the audit, inspect/), and the data fingerprint.
#include "adapt/run/data_warnings.h"

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

}  // namespace adapt
