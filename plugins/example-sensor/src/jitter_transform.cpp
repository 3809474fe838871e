// sensor.jitter: the standard time-series augmentations for wearables (Um et al. 2017): additive
// Gaussian jitter and per-channel magnitude scaling. Random, so the loader runs it on train only.
#include "sensor.h"

namespace sensor {

namespace {

class Jitter : public adapt::Transform {
 public:
  Jitter(std::string key, double sigma, double scale_sigma, double p)
      : key_(std::move(key)), sigma_(sigma), scale_sigma_(scale_sigma), p_(p) {}

  adapt::TransformLevel level() const override { return adapt::TransformLevel::item; }
  bool on_valid() const override { return false; }
  double p() const override { return p_; }

  void apply(adapt::TensorDict& data, adapt::Rng& rng) const override {
    torch::Tensor x = adapt::get(data, key_);  // [channels, length]
    auto& generator = rng.generator();
    torch::Tensor scale = 1.0 + scale_sigma_ * torch::randn({x.size(0), 1}, generator, x.options());
    torch::Tensor noise = sigma_ * torch::randn(x.sizes(), generator, x.options());
    data[key_] = x * scale + noise;
  }

 private:
  std::string key_;
  double sigma_, scale_sigma_, p_;
};

}  // namespace

void register_transform(adapt::Registry& registry) {
  using adapt::OptionSpec;
  using adapt::OptionType;
  registry.add_transform(
      "sensor.jitter", "train-only augmentation: Gaussian jitter plus per-channel scaling of a window",
      {OptionSpec("key", OptionType::string, "x", "batch key of the window"),
       OptionSpec("sigma", OptionType::number, 0.05, "std of the additive noise (in normalised units)").min(0),
       OptionSpec("scale_sigma", OptionType::number, 0.1, "std of the per-channel scale factor around 1").min(0),
       OptionSpec("p", OptionType::number, 0.8, "probability of applying it to an item").min(0).max(1)},
      [](const adapt::Options& o) {
        return std::make_shared<Jitter>(o.string("key"), o.number("sigma"), o.number("scale_sigma"), o.number("p"));
      });
}

}  // namespace sensor
