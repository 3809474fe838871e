#include "adapt/model/ensemble_model.h"

#include <torch/torch.h>

namespace adapt {

EnsembleModel::EnsembleModel(std::vector<std::shared_ptr<Model>> members) : members_(std::move(members)) {
  if (members_.size() < 2) throw OptionError("model.members: an ensemble needs at least 2 members");
  for (size_t k = 0; k < members_.size(); ++k) register_module("member" + std::to_string(k), members_[k]);
}

torch::Tensor EnsembleModel::forward(const Batch& batch) {
  std::vector<torch::Tensor> outputs;
  outputs.reserve(members_.size());
  for (auto& m : members_) outputs.push_back(m->forward(batch));
  auto stacked = torch::stack(outputs);
  return is_training() ? stacked : stacked.mean(0);
}

std::vector<std::vector<torch::Tensor>> EnsembleModel::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups;
  for (auto& m : members_) {
    auto own = m->layer_groups();
    if (own.size() > groups.size()) groups.resize(own.size());
    for (size_t g = 0; g < own.size(); ++g)
      groups[g].insert(groups[g].end(), own[g].begin(), own[g].end());
  }
  return groups;
}

torch::Tensor EnsembleModel::embed(const Batch& batch) {
  std::vector<torch::Tensor> parts;
  for (auto& m : members_) parts.push_back(m->embed(batch));
  return torch::cat(parts, 1);
}

int64_t EnsembleModel::embedding_width() const {
  int64_t width = 0;
  for (const auto& m : members_) {
    if (m->embedding_width() < 1) return 0;
    width += m->embedding_width();
  }
  return width;
}

}  // namespace adapt
