// sensor.centroid: the non-deep baseline. Each window becomes hand-made summary features per channel
// (mean, standard deviation, min, max, mean absolute first difference), standardised with training
// statistics; a class is predicted by its nearest training centroid.
#include "sensor.h"

namespace sensor {

namespace {

torch::Tensor features(const adapt::BaselineContext& ctx, const std::vector<size_t>& rows, torch::Tensor* targets) {
  std::vector<torch::Tensor> out, ys;
  adapt::EncodeContext encode_ctx;
  encode_ctx.split = adapt::Split::valid;  // deterministic centre crops, no augmentation
  for (size_t row : rows) {
    adapt::Sample s = ctx.blocks.encode(ctx.records, row, encode_ctx, targets != nullptr);
    torch::Tensor x = adapt::get(s, "x").to(torch::kFloat);  // [channels, length]
    torch::Tensor diff = (x.narrow(1, 1, x.size(1) - 1) - x.narrow(1, 0, x.size(1) - 1)).abs().mean(1);
    out.push_back(torch::cat({x.mean(1), x.std(1), std::get<0>(x.min(1)), std::get<0>(x.max(1)), diff}));
    if (targets) ys.push_back(adapt::get(s, "y"));
  }
  if (targets) *targets = torch::stack(ys).reshape({-1}).to(torch::kLong);
  return torch::stack(out);
}

class CentroidBaseline : public adapt::Baseline {
 public:
  std::string description() const override {
    return "nearest class centroid on per-channel summary statistics (mean, std, min, max, mean |diff|)";
  }

  void fit(const adapt::BaselineContext& ctx) override {
    const int64_t n_classes = ctx.blocks.target().block->n_outputs();
    if (ctx.split.train.empty()) throw adapt::DataError("sensor.centroid: the training split is empty");
    torch::Tensor y;
    torch::Tensor f = features(ctx, ctx.split.train, &y);
    mean_ = f.mean(0);
    std_ = f.std(0).clamp_min(1e-6);
    f = (f - mean_) / std_;
    centroids_ = torch::zeros({n_classes, f.size(1)});
    for (int64_t c = 0; c < n_classes; ++c) {
      torch::Tensor mask = y == c;
      // A class absent from train can never be predicted: put its centroid far away.
      centroids_[c] = mask.any().item<bool>() ? f.index({mask}).mean(0) : torch::full({f.size(1)}, 1e6);
    }
  }

  torch::Tensor predict(const adapt::BaselineContext& ctx, const std::vector<size_t>& rows) const override {
    if (!centroids_.defined()) throw adapt::Error("sensor.centroid: predict() before fit()");
    if (rows.empty()) return torch::empty({0, centroids_.size(0)});
    torch::Tensor f = (features(ctx, rows, nullptr) - mean_) / std_;
    torch::Tensor d2 = torch::cdist(f, centroids_).pow(2);
    return torch::log_softmax(-0.5 * d2, 1);
  }

 private:
  torch::Tensor mean_, std_, centroids_;
};

}  // namespace

void register_baseline(adapt::Registry& registry) {
  registry.add_baseline("sensor.centroid",
                        "nearest class centroid on per-channel summary statistics of each window", {},
                        [](const adapt::Options&) { return std::make_shared<CentroidBaseline>(); });
}

}  // namespace sensor
