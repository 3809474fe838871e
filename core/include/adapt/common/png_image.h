#pragma once
// Images for self-contained HTML pages: a 2-D tensor as a colour-mapped PNG (zlib does the
// compression), and any bytes as a data: URI an <img> or <audio> shows without fetching anything.
#include <torch/types.h>

#include <string>

#include "adapt/common/options.h"

namespace adapt {

// values [H, W] (any floating or integer type) -> PNG bytes, row 0 at the top, scaled from the
// minimum (dark blue) to the maximum (yellow). Non-finite values are drawn as the minimum.
ADAPT_API std::string heatmap_png(const torch::Tensor& values);
// "data:<mime>;base64,..."
ADAPT_API std::string data_uri(const std::string& mime, const std::string& bytes);

}  // namespace adapt
