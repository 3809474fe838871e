#pragma once
// `adapt show-batch` (fastai's show_batch): a page of a few training items exactly as the model
// receives them (the recipe's training loader: random crops, augmentations, batch transforms), each
// input drawn by its block (Block::show: a text's pieces, a spectrogram and a player, a row's encoded
// values), with the item's origin and target. Nothing is trained.
#include <cstdint>
#include <string>

#include "adapt/plugin/registry.h"

namespace adapt {

struct ShowBatchOptions {
  int64_t items = 8;  // the first batch of this size, in the loader's shuffled order
  int64_t epoch = 0;  // whose shuffle and augmentation draws
};

// The self-contained HTML page (inline CSS, images and audio as data: URIs, nothing fetched).
// Throws like train_recipe for a bad recipe or data.
ADAPT_API std::string show_batch_page(const json& recipe, const Registry& registry,
                                      const ShowBatchOptions& options = {});

}  // namespace adapt
