#include "mixup.h"

#include <random>

#include "adapt/data/data_blocks.h"

namespace adapt::audio {

OptionSchema Mixup::schema() {
  return {OptionSpec("alpha", OptionType::number, 0.4, "Beta(alpha, alpha) concentration").greater_than(0),
          OptionSpec("p", OptionType::number, 1.0, "probability of mixing each training batch").min(0).max(1),
          OptionSpec("keys", OptionType::string_list, json::array({"x"}), "input tensors to mix"),
          OptionSpec("target", OptionType::string, "y", "batch key of the class target")};
}

Mixup::Mixup(const Options& o)
    : keys_(o.strings("keys")), target_(o.string("target")), alpha_(o.number("alpha")), p_(o.number("p")) {
  if (keys_.empty()) throw o.error("keys", "name at least one input tensor to mix, e.g. [\"x\"]");
}

void Mixup::setup(const DataBlocks& blocks) {
  const auto& target = blocks.target();
  if (!target.block || target.block->loss() != "cross_entropy")
    throw OptionError("transforms: audio.mixup needs a classification target (a block whose loss is "
                      "cross_entropy, e.g. core.category)");
  n_classes_ = target.block->n_outputs();
}

double Mixup::sample_lambda(double alpha, Rng& rng) {
  std::gamma_distribution<double> gamma(alpha, 1.0);
  const double a = gamma(rng.engine()), b = gamma(rng.engine());
  const double lam = a + b > 0 ? a / (a + b) : 0.5;
  return std::max(lam, 1.0 - lam);
}

void Mixup::apply(TensorDict& data, Rng& rng) const {
  if (n_classes_ <= 0) throw Error("audio.mixup: applied before setup(); the loader calls setup first");
  auto y = data.find(target_);
  if (y == data.end()) throw Error("audio.mixup: no target '" + target_ + "' in the batch; set \"target\"");
  const int64_t batch = y->second.size(0);
  if (batch < 2) return;
  const double lam = sample_lambda(alpha_, rng);
  auto perm = torch::randperm(batch, rng.generator(), torch::kLong);
  for (const auto& key : keys_) {
    auto found = data.find(key);
    if (found == data.end()) throw Error("audio.mixup: no '" + key + "' in the batch; check \"keys\"");
    auto& x = found->second;
    x = x * lam + x.index_select(0, perm) * (1.0 - lam);
  }
  torch::Tensor soft = y->second;
  if (soft.scalar_type() == torch::kLong || soft.scalar_type() == torch::kInt) {
    auto labels = soft.to(torch::kLong).reshape({batch});
    if (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= n_classes_)
      throw Error("audio.mixup: a class index is outside [0, " + std::to_string(n_classes_) + ")");
    soft = torch::zeros({batch, n_classes_}, torch::kFloat32).scatter_(1, labels.unsqueeze(1), 1.0);
  }
  y->second = soft * lam + soft.index_select(0, perm) * (1.0 - lam);
  // Waveforms no longer match the mixed images; drop them so nothing downstream uses them.
  for (const auto& key : keys_) data.erase(key + ".wave");
}

}  // namespace adapt::audio
