#pragma once
// A guard against models too large for the machine: a recipe asking for `layers: [1e9]` is refused
// with its JSON path and the estimate before anything is allocated, instead of being OOM-killed a
// minute later. Models call it from their factories with the parameter count their options imply.
#include <cstdint>
#include <string>

#include "adapt/common/options.h"

namespace adapt {

// Bytes training may spend on parameters: ADAPT_MAX_MODEL_BYTES if set, else half the physical memory.
ADAPT_API uint64_t parameter_byte_limit();

// Throws options.error(key, ...) when `parameters` float32 parameters, trained with AdamW (weight,
// gradient and two moments: 16 bytes each), exceed parameter_byte_limit().
ADAPT_API void check_parameter_budget(double parameters, const Options& options, const std::string& key);

}  // namespace adapt
