#pragma once
// A model's layers, parameter counts and output shapes as text (Keras' / fastai's summary): written
// to RUN_DIR/model_summary.txt and printed by `adapt train --dry-run`.
#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

// One row per module (depth-first, dotted names): its type, the parameters it holds itself (trainable
// and frozen), their shapes, and its output shape where the layer type fixes it ("?" for the batch and
// positions: [?, 64] for Linear(…, 64)). `output_shape` (the whole model's, from a real batch) ends the
// table when given; then the totals.
ADAPT_API std::string model_summary(const torch::nn::Module& model, const std::vector<int64_t>& output_shape = {});

}  // namespace adapt
