#include "adapt/data/modality_dropout.h"

#include <torch/torch.h>

#include "adapt/data/data_blocks.h"

namespace adapt {

ModalityDropout::ModalityDropout(double p, std::vector<std::string> keys) : p_(p), keys_(std::move(keys)) {
  if (!(p_ >= 0.0 && p_ < 1.0)) throw OptionError("core.modality_dropout.p: must be in [0, 1), got " + std::to_string(p_));
}

void ModalityDropout::setup(const DataBlocks& blocks) {
  if (keys_.empty())
    for (const auto& bound : blocks.inputs()) keys_.push_back(bound.key);
  for (const auto& key : keys_) blocks.input(key);  // throws listing the input keys
  if (keys_.size() < 2)
    throw OptionError("core.modality_dropout.keys: needs at least 2 inputs to drop among, got " +
                      std::to_string(keys_.size()));
}

void ModalityDropout::apply(TensorDict& batch, Rng& rng) const {
  const int64_t rows = get(batch, keys_.front()).size(0);
  std::vector<torch::Tensor> marked, dropped;
  torch::Tensor none_left = torch::ones({rows}, torch::kBool);
  for (const auto& key : keys_) {
    auto found = batch.find(key + ".missing");
    marked.push_back(found != batch.end() ? found->second.to(torch::kBool).reshape({rows}) : torch::zeros({rows}, torch::kBool));
    dropped.push_back(torch::rand({rows}, rng.generator()) < p_);
    none_left = none_left & (marked.back() | dropped.back());
  }
  // A row the draws would leave without any input keeps what it has (only its blocks' marks).
  for (size_t k = 0; k < keys_.size(); ++k) batch[keys_[k] + ".missing"] = marked[k] | (dropped[k] & ~none_left);
}

}  // namespace adapt
