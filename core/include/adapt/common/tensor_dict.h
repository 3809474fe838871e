#pragma once
// Samples and batches: named tensors. A block writes under its key ("x", "y"); extra tensors use
// dotted suffixes ("x.mask", "x.lengths", "x.cat", "x.cont").
#include <torch/types.h>

#include <map>
#include <string>

namespace adapt {

using TensorDict = std::map<std::string, torch::Tensor>;
using Sample = TensorDict;  // one item
using Batch = TensorDict;   // items collated along a new first dimension

// The tensor at `key`; throws adapt::Error listing the keys present when it is missing.
const torch::Tensor& get(const TensorDict& dict, const std::string& key);

}  // namespace adapt
