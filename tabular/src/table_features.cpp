#include "table_features.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "table_block.h"

namespace adapt::tabular {

TableMatrix table_matrix(const DataBlocks& blocks, const Records& records, const std::vector<size_t>& rows,
                         const std::string& who) {
  std::vector<torch::Tensor> cats, conts;
  TableMatrix out;
  for (const auto& bound : blocks.inputs()) {
    const auto* table = dynamic_cast<const TableBlock*>(bound.block.get());
    if (!table) continue;
    torch::Tensor cat, cont;
    table->encode_rows(records, rows, cat, cont);
    cats.push_back(cat);
    conts.push_back(cont);
    const auto card = table->cardinalities();
    out.cardinalities.insert(out.cardinalities.end(), card.begin(), card.end());
    out.cat_names.insert(out.cat_names.end(), table->cat_names().begin(), table->cat_names().end());
    out.cont_names.insert(out.cont_names.end(), table->cont_names().begin(), table->cont_names().end());
  }
  if (cats.empty()) {
    throw OptionError(fmt::format("{}: the recipe has no tabular.table input block; use core.logistic / "
                                  "core.linear for other inputs",
                                  who));
  }
  out.cat = torch::cat(cats, 1);
  out.cont = torch::cat(conts, 1);
  return out;
}

torch::Tensor one_hot_features(const TableMatrix& table) {
  const int64_t n = table.cat.size(0);
  int64_t width = table.cont.size(1);
  for (int64_t c : table.cardinalities) width += c;
  auto x = torch::zeros({n, width}, torch::kFloat64);
  auto acc = x.accessor<double, 2>();
  const auto cat = table.cat.accessor<int64_t, 2>();
  const auto cont = table.cont.accessor<float, 2>();
  for (int64_t i = 0; i < n; ++i) {
    int64_t offset = 0;
    for (size_t j = 0; j < table.cardinalities.size(); ++j) {
      acc[i][offset + cat[i][j]] = 1.0;
      offset += table.cardinalities[j];
    }
    for (int64_t j = 0; j < table.cont.size(1); ++j) acc[i][offset + j] = cont[i][j];
  }
  return x;
}

TargetKind target_kind(const DataBlocks& blocks, const std::string& who) {
  const std::string loss = blocks.target().block->loss();
  if (loss == "cross_entropy") return TargetKind::classification;
  if (loss == "mse") return TargetKind::regression;
  throw OptionError(fmt::format("{}: a target whose loss is '{}' is not supported; it handles single-label "
                                "classification (cross_entropy) and regression (mse) targets",
                                who, loss));
}

}  // namespace adapt::tabular
