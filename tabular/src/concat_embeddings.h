#pragma once
// The categorical columns' embeddings looked up and concatenated in one operation: row i of the
// output holds table t's row ids[i][t] for every t, side by side, as torch::cat of one Embedding per
// column does, and the backward adds each output row's slices into the tables' gradients in row
// order, as Embedding's backward (index_add) does: the same numbers, bit for bit, in two operations
// instead of one gather and one scatter per column plus the cat and its slices (tabular.model's step
// at batch 256 spent 13% of its operator time there).
#include <torch/torch.h>

#include <vector>

namespace adapt::tabular {

// Whether concat_embeddings takes these tables (CPU, float32, contiguous, 2-D); otherwise gather
// them one by one.
bool concat_embeddings_applies(const std::vector<torch::Tensor>& tables);

// ids: int64 [B, tables.size()], column t indexing tables[t]. Returns float [B, sum of widths].
// An id outside its table throws, naming the column and the id.
torch::Tensor concat_embeddings(const torch::Tensor& ids, const std::vector<torch::Tensor>& tables);

}  // namespace adapt::tabular
