#include "adapt/data/gaussian_noise.h"

namespace adapt {

GaussianNoise::GaussianNoise(std::string key, double stddev, double p) : key_(std::move(key)), stddev_(stddev), p_(p) {
  if (key_.empty()) throw OptionError("core.gaussian_noise.key: give the tensor to add noise to, e.g. \"x\"");
  if (!(stddev_ >= 0.0)) throw OptionError("core.gaussian_noise.std: must be >= 0, got " + std::to_string(stddev_));
  if (!(p_ >= 0.0 && p_ <= 1.0)) throw OptionError("core.gaussian_noise.p: must be in [0, 1], got " + std::to_string(p_));
}

void GaussianNoise::apply(TensorDict& data, Rng& rng) const {
  const torch::Tensor& x = get(data, key_);
  if (!x.is_floating_point()) {
    throw Error("core.gaussian_noise: tensor \"" + key_ + "\" has dtype " + std::string(c10::toString(x.scalar_type())) +
                "; noise applies to floating-point inputs only (not class indices)");
  }
  const torch::Tensor noise = at::normal(0.0, stddev_, x.sizes(), rng.generator(), x.options());
  data[key_] = x + noise;
}

}  // namespace adapt
