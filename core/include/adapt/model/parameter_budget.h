#pragma once
// A guard against models too large for the machine: a recipe asking for `layers: [1e9]` is refused
// with its JSON path and the estimate before anything is allocated, instead of being OOM-killed a
// minute later. Models call it from their factories with the parameter count their options imply.
#include <cstdint>
#include <string>
#include <vector>

#include "adapt/common/options.h"

namespace adapt {

// Bytes training may spend on parameters: ADAPT_MAX_MODEL_BYTES if set, else half the physical memory.
ADAPT_API uint64_t parameter_byte_limit();

// Throws options.error(key, ...) when `parameters` float32 parameters, trained with AdamW (weight,
// gradient and two moments: 16 bytes each), exceed parameter_byte_limit().
ADAPT_API void check_parameter_budget(double parameters, const Options& options, const std::string& key);

// Parameter counts of common layers, in double so absurd sizes cannot overflow, for the estimates.
namespace parameters {
inline double linear(double in, double out) { return (in + 1) * out; }
inline double embedding(double rows, double dim) { return rows * dim; }
inline double lstm(double in, double hidden) { return 4 * hidden * (in + hidden + 2); }
inline double conv(double in, double out, double kernel_elements) { return (in * kernel_elements + 1) * out; }
// Self-attention (4 projections), feed-forward and two layer norms.
inline double transformer_layer(double d_model, double ff) {
  return 4 * (d_model + 1) * d_model + (d_model + 1) * ff + (ff + 1) * d_model + 4 * d_model;
}
// Linear layers in -> hidden... -> out.
ADAPT_API double mlp(double in, const std::vector<int64_t>& hidden, double out);
}  // namespace parameters

}  // namespace adapt
