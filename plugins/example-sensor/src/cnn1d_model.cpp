// sensor.cnn1d: a small 1-D CNN over [batch, channels, length] windows: (conv -> batch norm -> ReLU)
// blocks with max pooling, global average pooling, dropout and a linear head.
#include <adapt/model/parameter_budget.h>
#include <torch/nn.h>

#include "sensor.h"

namespace sensor {

namespace {

class Cnn1d : public adapt::Model {
 public:
  Cnn1d(int64_t in_channels, const std::vector<int64_t>& widths, int64_t kernel, double dropout, int64_t n_outputs) {
    int64_t channels = in_channels;
    for (size_t i = 0; i < widths.size(); ++i) {
      body_->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(channels, widths[i], kernel).padding(kernel / 2).bias(false)));
      body_->push_back(torch::nn::BatchNorm1d(widths[i]));
      body_->push_back(torch::nn::ReLU());
      if (i + 1 < widths.size()) body_->push_back(torch::nn::MaxPool1d(torch::nn::MaxPool1dOptions(2)));
      channels = widths[i];
    }
    width_ = channels;
    dropout_ = torch::nn::Dropout(dropout);
    head_ = torch::nn::Linear(channels, n_outputs);
    register_module("body", body_);
    register_module("dropout", dropout_);
    register_module("head", head_);
  }

  torch::Tensor forward(const adapt::Batch& batch) override { return head_->forward(dropout_->forward(embed(batch))); }

  // Global average pooling over time (any window length works): what the head reads. Reporting its
  // width makes this model an encoder, usable as a core.fusion branch next to other plugins' models.
  torch::Tensor embed(const adapt::Batch& batch) override { return body_->forward(adapt::get(batch, "x")).mean(2); }
  int64_t embedding_width() const override { return width_; }

  std::vector<std::vector<torch::Tensor>> layer_groups() override {
    return {body_->parameters(), head_->parameters()};
  }

 private:
  int64_t width_ = 0;
  torch::nn::Sequential body_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
};

}  // namespace

void register_model(adapt::Registry& registry) {
  using adapt::OptionSpec;
  using adapt::OptionType;
  registry.add_model(
      "sensor.cnn1d", "1-D CNN for multichannel windows (needs an input block with dims {channels, length})",
      {OptionSpec("widths", OptionType::integer_list, adapt::json::array({32, 64, 64}), "channels of each conv block")
           .greater_than(0),
       OptionSpec("kernel", OptionType::integer, 5, "convolution kernel size (odd keeps the length)").min(1),
       OptionSpec("dropout", OptionType::number, 0.1, "dropout before the head").min(0).max(1)},
      [](const adapt::Options& o, const adapt::ModelContext& ctx) {
        adapt::json dims = ctx.input_dims("x");
        if (!dims.contains("channels")) {
          throw adapt::OptionError(o.path() + ": sensor.cnn1d needs an input block that reports \"channels\" "
                                   "(e.g. sensor.window); the input block reports " + dims.dump());
        }
        auto widths = o.integers("widths");
        if (widths.empty()) throw o.error("widths", "needs at least one conv block");
        // Refuse sizes the machine cannot train before allocating them (the conformance kit checks it).
        double estimate = 0, in = dims["channels"].get<double>();
        for (double width : widths)
          estimate += adapt::parameters::conv(in, width, static_cast<double>(o.integer("kernel"))), in = width;
        adapt::check_parameter_budget(estimate + adapt::parameters::linear(in, static_cast<double>(ctx.n_outputs)), o,
                                      "widths");
        return std::make_shared<Cnn1d>(dims["channels"].get<int64_t>(), widths, o.integer("kernel"),
                                       o.number("dropout"), ctx.n_outputs);
      });
}

}  // namespace sensor
