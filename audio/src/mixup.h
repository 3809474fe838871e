#pragma once
// audio.mixup (Zhang et al. 2018, fastai's MixUp): batch level, training only. Each batch is mixed
// with a shuffled copy of itself, lambda ~ Beta(alpha, alpha) folded to >= 0.5 (fastai), and class
// indices become the matching soft targets [B, n_classes] for the core cross-entropy.
#include "adapt/data/transform.h"

namespace adapt::audio {

class Mixup : public Transform {
 public:
  explicit Mixup(const Options& options);
  static OptionSchema schema();
  TransformLevel level() const override { return TransformLevel::batch; }
  double p() const override { return p_; }
  // Reads the number of classes from the target block.
  void setup(const DataBlocks& blocks) override;
  void apply(TensorDict& data, Rng& rng) const override;

  // Beta(alpha, alpha) from two gamma draws.
  static double sample_lambda(double alpha, Rng& rng);

 private:
  std::vector<std::string> keys_;
  std::string target_;
  double alpha_, p_;
  int64_t n_classes_ = 0;
};

}  // namespace adapt::audio
