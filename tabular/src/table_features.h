#pragma once
// The tabular.table inputs of a recipe as whole matrices, for the baselines and reports.
#include <torch/types.h>

#include <string>
#include <vector>

#include "adapt/baseline/baseline.h"

namespace adapt::tabular {

class TableBlock;

struct TableMatrix {
  torch::Tensor cat;   // int64 [n, n_cat], code 0 = missing/unseen
  torch::Tensor cont;  // float [n, n_cont], filled and standardised
  std::vector<int64_t> cardinalities;
  std::vector<std::string> cat_names, cont_names;
};

// Every tabular.table input block of `blocks`, encoded for `rows` and concatenated. Throws
// OptionError naming `who` when the recipe has no tabular.table input.
TableMatrix table_matrix(const DataBlocks& blocks, const Records& records, const std::vector<size_t>& rows,
                         const std::string& who);

// One-hot codes (code 0 gets its own column) next to the continuous columns: double [n, d].
torch::Tensor one_hot_features(const TableMatrix& table);

// What the target block asks of a baseline.
enum class TargetKind { classification, regression };
TargetKind target_kind(const DataBlocks& blocks, const std::string& who);

}  // namespace adapt::tabular
