#pragma once
// Out-of-fold predictions over the training split: each row predicted by a model fitted without its
// fold. The stacked baseline learns from them, and the label-issue search ranks rows by them.
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "adapt/data/splitter.h"

namespace adapt {

// The fold (0..folds-1) of each of the n rows whose encoded targets are `targets`: shuffled with
// `seed`, and for classification dealt round-robin within each class so every fold keeps the class mix.
ADAPT_API std::vector<int64_t> assign_folds(const torch::Tensor& targets, bool classification, int64_t folds,
                                            uint64_t seed);

// For each fold k, `fit_predict(inner)` with inner.train the rows (of `rows`) outside fold k and
// inner.valid those inside it, returning one prediction row per inner.valid row; the results are put
// back in the order of `rows`: [rows.size(), ...].
ADAPT_API torch::Tensor out_of_fold(const std::vector<size_t>& rows, const std::vector<int64_t>& fold, int64_t folds,
                                    const std::function<torch::Tensor(const SplitIndices& inner)>& fit_predict);

}  // namespace adapt
