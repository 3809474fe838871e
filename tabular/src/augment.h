#pragma once
// Training-only batch augmentations for tables. All work on whole batches, so the loader keeps its
// fast path (index gathers of pre-encoded rows) and never runs them on valid/test/predict data.
//   tabular.gaussian_noise  x.cont += N(0, std^2)  (the columns are already standardised)
//   tabular.swap_noise      each categorical cell, with probability `prob`, takes the value of the
//                           same column in another random row of the batch (Porto Seguro winner)
//   tabular.mixup           mixup (Zhang et al. 2018): continuous columns and targets are mixed with
//                           lambda ~ Beta(alpha, alpha) folded to >= 0.5; categories come from the
//                           dominant row. Classification targets become soft labels.
#include "adapt/registry.h"
#include "adapt/transform.h"

namespace adapt::tabular {

void register_augmentations(Registry& registry);

}  // namespace adapt::tabular
