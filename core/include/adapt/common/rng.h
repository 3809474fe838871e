#pragma once
// Seeded randomness for data work. Every batch gets its own Rng derived from (seed, epoch, batch),
// so results do not depend on how many loader workers ran or in which order they finished.
#include <ATen/core/Generator.h>

#include <cstdint>
#include <random>

#include "adapt/common/error.h"

namespace adapt {

class ADAPT_API Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  // A reproducible child stream, e.g. Rng(seed).derive(epoch).derive(batch_index).
  Rng derive(uint64_t stream) const;

  uint64_t seed() const { return seed_; }
  double uniform(double low = 0.0, double high = 1.0);
  double normal(double mean = 0.0, double stddev = 1.0);
  int64_t integer(int64_t low, int64_t high_exclusive);
  bool bernoulli(double p);
  std::mt19937_64& engine() { return engine_; }
  // A torch CPU generator seeded from this stream, for torch::rand*(..., generator).
  at::Generator& generator();

 private:
  uint64_t seed_;
  std::mt19937_64 engine_;
  at::Generator generator_;
  bool generator_ready_ = false;
};

// SplitMix64: mixes seeds so neighbouring streams are unrelated.
uint64_t mix_seed(uint64_t a, uint64_t b);

}  // namespace adapt
