#pragma once
// Components for the kit's own tests: a correct block ("broken.mean") and variants, each broken in
// exactly one way the contract forbids, registered as plugin "broken" next to the core components.
#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <thread>

#include "broken_demos.h"
#include "kit_test_support.h"

namespace conformance_test {

// Correct: column "x" centred on the training mean and divided by the training range.
class MeanBlock : public adapt::Block {
 public:
  std::vector<std::string> columns() const override { return {"x"}; }
  void setup(const adapt::Records& train) override {
    double sum = 0, low = 1e300, high = -1e300;
    for (size_t row = 0; row < train.size(); ++row) {
      const double v = value(train, row);
      sum += v, low = std::min(low, v), high = std::max(high, v);
    }
    mean_ = sum / static_cast<double>(train.size());
    spread_ = high - low + 1.0;
  }
  adapt::TensorDict encode(const adapt::Records& records, size_t row, const adapt::EncodeContext& ctx) const override {
    return {{"", torch::tensor({static_cast<float>(scaled(records, row, ctx))})}};
  }
  adapt::json dims() const override { return {{"width", 1}}; }
  adapt::json state() const override { return {{"mean", mean_}, {"spread", spread_}}; }
  void load_state(const adapt::json& state) override {
    mean_ = state.at("mean").get<double>();
    spread_ = state.value("spread", 1.0);
  }

 protected:
  static double value(const adapt::Records& records, size_t row) { return std::stod(records.at(row, "x")); }
  virtual double scaled(const adapt::Records& records, size_t row, const adapt::EncodeContext&) const {
    return (value(records, row) - mean_) / spread_;
  }
  double mean_ = 0, spread_ = 1;
};

// Learns its mean from every instance's rows: a static shared between instances.
class StaticMeanBlock : public MeanBlock {
 public:
  void setup(const adapt::Records& train) override {
    static std::vector<double> seen;
    for (size_t row = 0; row < train.size(); ++row) seen.push_back(value(train, row));
    double sum = 0;
    for (double v : seen) sum += v;
    mean_ = sum / static_cast<double>(seen.size());
  }
};

// Keeps learning while encoding: the largest value it has encoded is part of its state.
class LearnsWhileEncodingBlock : public MeanBlock {
 public:
  adapt::json state() const override {
    auto s = MeanBlock::state();
    s["largest"] = largest_.load();
    return s;
  }

 protected:
  double scaled(const adapt::Records& records, size_t row, const adapt::EncodeContext& ctx) const override {
    double v = value(records, row), seen = largest_.load();
    while (v > seen && !largest_.compare_exchange_weak(seen, v)) {
    }
    return MeanBlock::scaled(records, row, ctx);
  }
  mutable std::atomic<double> largest_{0.0};
};

// Saves the mean but not the spread, so a reloaded block encodes differently.
class ForgetfulBlock : public MeanBlock {
 public:
  adapt::json state() const override { return {{"mean", mean_}}; }
};

// Shares one scratch value between concurrent encode() calls.
class RacyBlock : public MeanBlock {
 protected:
  double scaled(const adapt::Records& records, size_t row, const adapt::EncodeContext&) const override {
    scratch_ = value(records, row);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return (scratch_ - mean_) / spread_;
  }
  mutable double scratch_ = 0;
};

// Random on every split (declares random_on_train, but validation is random too).
class NoisyEverywhereBlock : public MeanBlock {
 public:
  bool random_on_train() const override { return true; }

 protected:
  double scaled(const adapt::Records& records, size_t row, const adapt::EncodeContext& ctx) const override {
    return MeanBlock::scaled(records, row, ctx) + ctx.rng->normal(0.0, 0.1);
  }
};

// Random on train through ctx.rng, but says random_on_train() == false.
class SecretlyRandomBlock : public MeanBlock {
 protected:
  double scaled(const adapt::Records& records, size_t row, const adapt::EncodeContext& ctx) const override {
    const double noise = ctx.split == adapt::Split::train ? ctx.rng->normal(0.0, 0.1) : 0.0;
    return MeanBlock::scaled(records, row, ctx) + noise;
  }
};

// Random on train, but from torch's global generator instead of ctx.rng.
class GlobalRandomBlock : public MeanBlock {
 public:
  bool random_on_train() const override { return true; }

 protected:
  double scaled(const adapt::Records& records, size_t row, const adapt::EncodeContext& ctx) const override {
    const double noise = ctx.split == adapt::Split::train ? torch::rand({1}).item<double>() : 0.0;
    return MeanBlock::scaled(records, row, ctx) + noise;
  }
};

// A target that names 2 classes for 3 outputs.
class MismatchedTargetBlock : public MeanBlock {
 public:
  std::string loss() const override { return "cross_entropy"; }
  int64_t n_outputs() const override { return 3; }
  std::vector<std::string> classes() const override { return {"a", "b"}; }
};

// Offers encode_batch() and gets it right: each row as encode() scales it.
class BatchedMeanBlock : public MeanBlock {
 public:
  std::optional<adapt::TensorDict> encode_batch(const adapt::Records& records, const std::vector<size_t>& rows,
                                                const adapt::EncodeContext& ctx) const override {
    auto out = torch::empty({static_cast<int64_t>(rows.size()), 1});
    for (size_t r = 0; r < rows.size(); ++r) out[static_cast<int64_t>(r)][0] = batch_value(records, rows[r], ctx);
    return adapt::TensorDict{{"", out}};
  }

 protected:
  virtual double batch_value(const adapt::Records& records, size_t row, const adapt::EncodeContext& ctx) const {
    return scaled(records, row, ctx);
  }
};

// Offers encode_batch() but forgets to scale there, so a batch differs from collate() of its rows.
class UnscaledBatchBlock : public BatchedMeanBlock {
 protected:
  double batch_value(const adapt::Records& records, size_t row, const adapt::EncodeContext&) const override {
    return value(records, row);
  }
};

// A regression target: decode() gives the output in the column's units.
class ScaledTargetBlock : public MeanBlock {
 public:
  std::string loss() const override { return "mse"; }
  int64_t n_outputs() const override { return 1; }
  adapt::json decode(const torch::Tensor& row) const override { return {{"value", row.item<double>() * spread_ + mean_}}; }
};

// Offers decode_batch() but forgets the units there, so a batch differs from decode() of its rows.
class UnscaledBatchDecodeBlock : public ScaledTargetBlock {
 public:
  std::vector<adapt::json> decode_batch(const torch::Tensor& outputs) const override {
    std::vector<adapt::json> out;
    for (int64_t i = 0; i < outputs.size(0); ++i) out.push_back({{"value", outputs[i].item<double>()}});
    return out;
  }
};

template <typename B>
void add_block(adapt::Registry& registry, const std::string& name) {
  registry.add_block(name, "a test block", {}, [](const adapt::Options&) { return std::make_shared<B>(); });
}

inline void register_broken_blocks(adapt::Registry& registry) {
  add_block<MeanBlock>(registry, "broken.mean");
  add_block<StaticMeanBlock>(registry, "broken.static_mean");
  add_block<LearnsWhileEncodingBlock>(registry, "broken.learns_while_encoding");
  add_block<ForgetfulBlock>(registry, "broken.forgetful");
  add_block<RacyBlock>(registry, "broken.racy");
  add_block<NoisyEverywhereBlock>(registry, "broken.noisy_everywhere");
  add_block<SecretlyRandomBlock>(registry, "broken.secretly_random");
  add_block<GlobalRandomBlock>(registry, "broken.global_random");
  add_block<MismatchedTargetBlock>(registry, "broken.mismatched_target");
  add_block<UnscaledBatchBlock>(registry, "broken.unscaled_batch");
  add_block<BatchedMeanBlock>(registry, "broken.batched_mean");
  add_block<ScaledTargetBlock>(registry, "broken.scaled_target");
  add_block<UnscaledBatchDecodeBlock>(registry, "broken.unscaled_batch_decode");
}

// --- transforms on the block's tensor "x" -----------------------------------------------------

class NoiseTransform : public adapt::Transform {
 public:
  adapt::TransformLevel level() const override { return adapt::TransformLevel::item; }
  void apply(adapt::TensorDict& data, adapt::Rng& rng) const override {
    data["x"] = data["x"] + torch::randn(data["x"].sizes(), rng.generator());
  }
};

// Random, yet claims to be deterministic preprocessing.
class NoiseOnValidTransform : public NoiseTransform {
 public:
  bool on_valid() const override { return true; }
};

// Random from torch's global generator instead of the given Rng.
class GlobalNoiseTransform : public NoiseTransform {
 public:
  void apply(adapt::TensorDict& data, adapt::Rng&) const override { data["x"] = data["x"] + torch::randn(data["x"].sizes()); }
};

// Deterministic preprocessing, rightly on validation too.
class DoubleTransform : public NoiseTransform {
 public:
  bool on_valid() const override { return true; }
  void apply(adapt::TensorDict& data, adapt::Rng&) const override { data["x"] = data["x"] * 2; }
};

class ImprobableTransform : public NoiseTransform {
 public:
  double p() const override { return 1.5; }
};

template <typename T>
void add_transform(adapt::Registry& registry, const std::string& name) {
  registry.add_transform(name, "a test transform", {}, [](const adapt::Options&) { return std::make_shared<T>(); });
}

// --- models over "x" [batch, 1] --------------------------------------------------------------

class LinearModel : public adapt::Model {
 public:
  LinearModel(int64_t n_outputs, int64_t extra) {
    hidden_ = register_module("hidden", torch::nn::Linear(1, 4));
    head_ = register_module("head", torch::nn::Linear(4, n_outputs + extra));
  }
  torch::Tensor forward(const adapt::Batch& batch) override { return head_(torch::relu(hidden_(adapt::get(batch, "x")))); }

 protected:
  torch::nn::Linear hidden_{nullptr}, head_{nullptr};
};

// Dropout that stays on in eval mode.
class AlwaysDropoutModel : public LinearModel {
 public:
  using LinearModel::LinearModel;
  torch::Tensor forward(const adapt::Batch& batch) override {
    // Dropout on the outputs, not on the ReLU's: a batch whose hidden units are all zero made two
    // calls agree now and then (a flaky check); two masks over every output hardly ever agree.
    return torch::dropout(head_(torch::relu(hidden_(adapt::get(batch, "x")))), 0.5, /*train=*/true);
  }
};

// Its layer groups leave out the hidden layer, which the optimizer would then never train.
class HeadOnlyGroupsModel : public LinearModel {
 public:
  using LinearModel::LinearModel;
  std::vector<std::vector<torch::Tensor>> layer_groups() override { return {head_->parameters()}; }
};

template <typename M>
void add_model(adapt::Registry& registry, const std::string& name, int64_t extra = 0) {
  registry.add_model(name, "a test model", {}, [extra](const adapt::Options&, const adapt::ModelContext& ctx) {
    return std::make_shared<M>(ctx.n_outputs, extra);
  });
}

// The core components and plugin "broken" with every component above, built once.
inline const adapt::Registry& broken_registry() {
  static const adapt::Registry* registry = [] {
    auto* r = new adapt::Registry();
    adapt::register_core_components(*r);
    r->begin_plugin("broken", "", "0.1.0");
    register_broken_blocks(*r);
    add_transform<NoiseTransform>(*r, "broken.noise");
    add_transform<NoiseOnValidTransform>(*r, "broken.noise_on_valid");
    add_transform<GlobalNoiseTransform>(*r, "broken.global_noise");
    add_transform<DoubleTransform>(*r, "broken.double");
    add_transform<ImprobableTransform>(*r, "broken.improbable");
    add_model<LinearModel>(*r, "broken.linear");
    add_model<LinearModel>(*r, "broken.too_wide", 1);
    add_model<AlwaysDropoutModel>(*r, "broken.always_dropout");
    add_model<HeadOnlyGroupsModel>(*r, "broken.head_only_groups");
    register_broken_demos(*r);
    r->end_plugin();
    return r;
  }();
  return *registry;
}

}  // namespace conformance_test
