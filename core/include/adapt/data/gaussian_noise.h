#pragma once
// core.gaussian_noise: adds N(0, std^2) noise to one floating-point tensor of each item, with
// probability p. A random augmentation: the loader applies it on the training split only.
#include <string>

#include "adapt/data/transform.h"

namespace adapt {

class ADAPT_API GaussianNoise : public Transform {
 public:
  GaussianNoise(std::string key, double stddev, double p = 1.0);
  TransformLevel level() const override { return TransformLevel::item; }
  double p() const override { return p_; }
  void apply(TensorDict& data, Rng& rng) const override;

 private:
  std::string key_;
  double stddev_, p_;
};

}  // namespace adapt
