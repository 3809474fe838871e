#pragma once
// The audio plugin's part of `adapt inspect` (Block::audit): clip durations against the block's
// window, sample rates, clipping, silence, and files that cannot be decoded.
#include <string>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/data/records.h"

namespace adapt::audio {

// Decodes every file of `column` in `rows` (its own rate, no resampling); `window_seconds` is what
// the block keeps of each clip.
json audit_audio(const Records& records, const std::string& column, const std::vector<size_t>& rows,
                 double window_seconds);

}  // namespace adapt::audio
