#include "adapt/baseline/out_of_fold.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <random>

namespace adapt {

std::vector<int64_t> assign_folds(const torch::Tensor& targets, bool classification, int64_t folds, uint64_t seed) {
  const auto n = static_cast<size_t>(targets.size(0));
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 engine(seed);
  std::shuffle(order.begin(), order.end(), engine);
  std::vector<int64_t> fold(n);
  if (!classification) {
    for (size_t i = 0; i < n; ++i) fold[order[i]] = static_cast<int64_t>(i) % folds;
    return fold;
  }
  const auto labels = targets.reshape({-1}).to(torch::kInt64);
  const int64_t* label = labels.contiguous().data_ptr<int64_t>();
  std::map<int64_t, int64_t> dealt;  // per class, rows dealt so far
  int64_t start = 0;                 // each class starts where the last one ended, to balance fold sizes
  for (size_t i : order) {
    auto [it, fresh] = dealt.emplace(label[i], 0);
    if (fresh) it->second = start++;
    fold[i] = it->second++ % folds;
  }
  return fold;
}

torch::Tensor out_of_fold(const std::vector<size_t>& rows, const std::vector<int64_t>& fold, int64_t folds,
                          const std::function<torch::Tensor(const SplitIndices& inner)>& fit_predict) {
  torch::Tensor stacked;
  for (int64_t k = 0; k < folds; ++k) {
    SplitIndices inner;
    std::vector<int64_t> held_out;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (fold[i] == k) {
        inner.valid.push_back(rows[i]);
        held_out.push_back(static_cast<int64_t>(i));
      } else {
        inner.train.push_back(rows[i]);
      }
    }
    if (inner.valid.empty()) continue;
    auto part = fit_predict(inner);
    if (!stacked.defined()) {
      auto shape = part.sizes().vec();
      shape[0] = static_cast<int64_t>(rows.size());
      stacked = torch::zeros(shape, part.options());
    }
    stacked.index_copy_(0, torch::tensor(held_out, torch::kInt64), part);
  }
  return stacked;
}

}  // namespace adapt
