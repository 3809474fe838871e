// Training-only batch augmentations for tables. All work on whole batches, so the loader keeps its
// fast path (index gathers of pre-encoded rows) and never runs them on valid/test/predict data.
//   tabular.gaussian_noise  x.cont += N(0, std^2)  (the columns are already standardised)
//   tabular.swap_noise      each categorical cell, with probability `prob`, takes the value of the
//                           same column in another random row of the batch (Porto Seguro winner)
//   tabular.mixup           mixup (Zhang et al. 2018): continuous columns and targets are mixed with
//                           lambda ~ Beta(alpha, alpha) folded to >= 0.5; categories come from the
//                           dominant row. Classification targets become soft labels.
#include <fmt/format.h>
#include <torch/torch.h>

#include <random>

#include "adapt/data/data_blocks.h"
#include "register.h"

namespace adapt::tabular {

namespace {

OptionSpec input_spec() {
  return OptionSpec("input", OptionType::string, "x", "batch key of the tabular.table block");
}
OptionSpec p_spec() {
  return OptionSpec("p", OptionType::number, 1.0, "probability of applying to a batch").min(0).max(1);
}

// Finds a key or says which keys the batch has and what to do.
torch::Tensor& tensor_at(TensorDict& data, const std::string& key, const char* transform) {
  auto it = data.find(key);
  if (it == data.end()) {
    std::string keys;
    for (const auto& [k, v] : data) keys += (keys.empty() ? "" : ", ") + k;
    throw Error(fmt::format("{}: the batch has no '{}' (keys: {}); set its input option to the key of the "
                            "tabular.table block",
                            transform, key, keys));
  }
  return it->second;
}

class GaussianNoise : public Transform {
 public:
  explicit GaussianNoise(const Options& o)
      : input_(o.string("input")), std_(o.number("std")), p_(o.number("p")) {}
  TransformLevel level() const override { return TransformLevel::batch; }
  double p() const override { return p_; }
  void apply(TensorDict& data, Rng& rng) const override {
    torch::Tensor& cont = tensor_at(data, input_ + ".cont", "tabular.gaussian_noise");
    if (cont.numel() == 0) return;
    cont = cont + torch::randn(cont.sizes(), rng.generator(), cont.options()) * std_;
  }

 private:
  std::string input_;
  double std_, p_;
};

class SwapNoise : public Transform {
 public:
  explicit SwapNoise(const Options& o)
      : input_(o.string("input")), prob_(o.number("prob")), cont_(o.boolean("continuous")), p_(o.number("p")) {}
  TransformLevel level() const override { return TransformLevel::batch; }
  double p() const override { return p_; }
  void apply(TensorDict& data, Rng& rng) const override {
    swap(tensor_at(data, input_ + ".cat", "tabular.swap_noise"), rng);
    if (cont_) swap(tensor_at(data, input_ + ".cont", "tabular.swap_noise"), rng);
  }

 private:
  void swap(torch::Tensor& x, Rng& rng) const {
    if (x.numel() == 0 || x.size(0) < 2) return;
    auto& gen = rng.generator();
    const auto mask = torch::rand(x.sizes(), gen) < prob_;
    const auto donors = torch::randint(x.size(0), x.sizes(), gen, torch::kInt64);
    x = torch::where(mask, x.gather(0, donors), x);
  }
  std::string input_;
  double prob_;
  bool cont_;
  double p_;
};

class Mixup : public Transform {
 public:
  explicit Mixup(const Options& o) : input_(o.string("input")), alpha_(o.number("alpha")), p_(o.number("p")) {}
  TransformLevel level() const override { return TransformLevel::batch; }
  double p() const override { return p_; }
  void setup(const DataBlocks& blocks) override {
    const Block& target = *blocks.target().block;
    target_loss_ = target.loss();
    n_classes_ = target.n_outputs();
    if (target_loss_ != "cross_entropy" && target_loss_ != "mse" && target_loss_ != "bce_with_logits") {
      throw OptionError(fmt::format("tabular.mixup: the target block's loss '{}' is not one mixup can mix "
                                    "(cross_entropy, bce_with_logits, mse)",
                                    target_loss_));
    }
  }
  void apply(TensorDict& data, Rng& rng) const override {
    torch::Tensor& y = tensor_at(data, "y", "tabular.mixup");
    const int64_t n = y.size(0);
    if (n < 2) return;
    std::gamma_distribution<double> gamma(alpha_, 1.0);
    std::vector<float> lambdas(n);
    for (auto& l : lambdas) {
      const double a = gamma(rng.engine()), b = gamma(rng.engine());
      const double lambda = a + b > 0 ? a / (a + b) : 0.5;
      l = static_cast<float>(std::max(lambda, 1.0 - lambda));  // categories follow the dominant row
    }
    const auto lambda = torch::tensor(lambdas);
    const auto perm = torch::randperm(n, rng.generator(), torch::kInt64);
    const auto mix = [&](const torch::Tensor& a) {
      auto l = lambda.to(a.scalar_type()).view({n, 1});
      const auto flat = a.reshape({n, -1});
      return (flat * l + flat.index_select(0, perm) * (1 - l)).view(a.sizes());
    };
    auto it = data.find(input_ + ".cont");
    if (it != data.end() && it->second.numel() > 0) it->second = mix(it->second);
    if (target_loss_ == "cross_entropy") {
      torch::Tensor soft = y.is_floating_point() ? y : torch::one_hot(y, n_classes_).to(torch::kFloat32);
      y = mix(soft);
    } else {
      y = mix(y.to(torch::kFloat32));
    }
  }

 private:
  std::string input_;
  double alpha_, p_;
  std::string target_loss_ = "cross_entropy";
  int64_t n_classes_ = 0;
};

}  // namespace

void register_transforms(Registry& registry) {
  registry.add_transform("tabular.gaussian_noise", "training only: Gaussian noise on the continuous columns",
                         {input_spec(), OptionSpec("std", OptionType::number, 0.1,
                                                   "noise standard deviation, in standardised units")
                                            .min(0),
                          p_spec()},
                         [](const Options& o) { return std::make_shared<GaussianNoise>(o); });
  registry.add_transform(
      "tabular.swap_noise", "training only: swap categorical cells with another row's value (swap noise)",
      {input_spec(),
       OptionSpec("prob", OptionType::number, 0.1, "probability that a cell is swapped").min(0).max(1),
       OptionSpec("continuous", OptionType::boolean, false, "swap continuous cells too"), p_spec()},
      [](const Options& o) { return std::make_shared<SwapNoise>(o); });
  registry.add_transform(
      "tabular.mixup", "training only: mixup of continuous columns and targets (soft labels)",
      {input_spec(), OptionSpec("alpha", OptionType::number, 0.4, "Beta(alpha, alpha) mixing").greater_than(0),
       p_spec()},
      [](const Options& o) { return std::make_shared<Mixup>(o); });
}

}  // namespace adapt::tabular
