#pragma once
// Report: a plugin-specific analysis run after training (feature importance, ranking metrics...).
#include <filesystem>
#include <ostream>

#include "adapt/data/data_blocks.h"
#include "adapt/data/splitter.h"

namespace adapt {

class Learner;

struct ReportContext {
  Learner& learner;
  const Records& records;
  const SplitIndices& split;
  const DataBlocks& blocks;
  std::filesystem::path out_dir;  // the run directory (files go here)
  std::ostream& out;              // human-readable text
};

class ADAPT_API Report {
 public:
  virtual ~Report();
  // Returns machine-readable results (merged into the run's metrics.json under the report's name).
  virtual json run(const ReportContext& ctx) const = 0;
};

}  // namespace adapt
