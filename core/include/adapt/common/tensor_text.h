#pragma once
// Tensors in error messages: "[32,10]".
#include <ATen/core/Tensor.h>

#include <string>

#include "adapt/common/error.h"

namespace adapt {

ADAPT_API std::string shape_text(const at::Tensor& tensor);

}  // namespace adapt
