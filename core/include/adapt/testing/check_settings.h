#pragma once
// CheckOptions: how hard the conformance checks look. The defaults keep a whole plugin's checks to
// seconds; raise them when hunting a rare race.
#include <cstddef>
#include <cstdint>

namespace adapt::testing {

struct CheckOptions {
  size_t max_rows = 16;  // rows of each split that the block, transform and model checks encode
  size_t threads = 4;    // concurrent encoders in the thread-safety check (the loader's workers)
  size_t rounds = 3;     // how often the threads race over the same rows
  uint64_t seed = 42;    // of the Rng streams handed to encode() and apply()
  // Models must refuse sizes beyond the parameter budget before allocating (check_parameter_budget in
  // adapt/model/parameter_budget.h): the kit builds each one again under a 16-byte budget.
  bool parameter_budget = true;
};

}  // namespace adapt::testing
