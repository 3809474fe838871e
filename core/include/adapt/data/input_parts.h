#pragma once
// Building blocks for Block::parts (explanations by occlusion, docs/explanations.md): each returns
// one InputPart per part of item[key], named "<key>[i]" (or by band), for an override to rename.
#include <string>
#include <vector>

#include "adapt/data/block.h"

namespace adapt {

// Each position of the 1-D tensor item[key] in [begin, end) deleted (a token, a residue).
ADAPT_API std::vector<InputPart> deleted_positions(const TensorDict& item, const std::string& key, int64_t begin,
                                                   int64_t end);
// Each entry i of item[key] (any shape, flattened) set to fill[i] (a column to its training mean, an
// id to "unknown"); `fill` holds one value per entry.
ADAPT_API std::vector<InputPart> replaced_entries(const TensorDict& item, const std::string& key,
                                                  const std::vector<double>& fill);
// `bands` equal bands along the last axis of item[key] (a spectrogram's time), each set to the
// item's minimum (silence, after any normalisation). Named "frames A-B".
ADAPT_API std::vector<InputPart> silenced_bands(const TensorDict& item, const std::string& key, int64_t bands);

}  // namespace adapt
