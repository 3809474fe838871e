#pragma once
// Splitter: Records -> train / valid (/ test) row indices. A test part, when present, is never used
// for choosing anything: it is evaluated once, after training.
#include <cstddef>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/data/records.h"

namespace adapt {

struct SplitIndices {
  std::vector<size_t> train, valid, test;
};

class ADAPT_API Splitter {
 public:
  virtual ~Splitter();
  virtual SplitIndices split(const Records& records) const = 0;
};

}  // namespace adapt
