#pragma once
// Sanity-noise tests (Block::noise): each row of a split encoded for real and as noise, on valid.
#include <string>
#include <utility>
#include <vector>

#include "adapt/data/block.h"

namespace adapt::test_support {

struct NoiseItems {
  std::vector<TensorDict> real, noise;  // per row of the split, in its order
};

// Every row of `split` (sorted) through encode() and through noise(kind) with one NoiseContext.
inline NoiseItems noise_items(const Block& block, const Records& records, const std::vector<size_t>& split,
                              const std::string& kind, uint64_t seed) {
  NoiseContext ctx;
  ctx.seed = seed;
  ctx.split_rows = &split;
  const EncodeContext valid{Split::valid, nullptr};
  NoiseItems out;
  for (size_t row : split) {
    out.real.push_back(block.encode(records, row, valid));
    out.noise.push_back(block.noise(records, row, valid, kind, ctx));
  }
  return out;
}

}  // namespace adapt::test_support
