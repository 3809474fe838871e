// sensor.window: a series file -> a fixed-length multichannel window [channels, length], normalised
// per channel with statistics learned on the training split only. Training windows are random crops
// (a cheap, label-preserving augmentation); validation and prediction use the centre crop.
#include <cmath>

#include "sensor.h"

namespace sensor {

namespace {

class WindowBlock : public adapt::Block {
 public:
  WindowBlock(std::string column, int64_t length, std::vector<std::string> channels, bool random_crop)
      : column_(std::move(column)), length_(length), channels_(std::move(channels)), random_crop_(random_crop) {}

  std::vector<std::string> columns() const override { return {column_}; }

  void setup(const adapt::Records& train) override {
    if (train.empty()) throw adapt::DataError("sensor.window: no training records to learn channel statistics from");
    std::vector<double> sum, sum_sq;
    double count = 0;
    std::string first_file;
    for (size_t row = 0; row < train.size(); ++row) {
      const std::string& file = train.at(row, column_);
      Series series = read_series(file);
      torch::Tensor x = series_tensor(series, channels_, file).to(torch::kDouble);
      if (sum.empty()) {
        sum.assign(x.size(0), 0.0);
        sum_sq.assign(x.size(0), 0.0);
        first_file = file;
        if (channels_.empty()) channels_ = series.channels;  // "all columns": fixed by the first file
      } else if (static_cast<size_t>(x.size(0)) != sum.size()) {
        throw adapt::DataError("sensor.window: " + file + " has " + std::to_string(x.size(0)) + " channels but " +
                               first_file + " has " + std::to_string(sum.size()) +
                               "; every series needs the same channels (or name them in \"channels\")");
      }
      auto s = x.sum(1), s2 = (x * x).sum(1);
      for (size_t c = 0; c < sum.size(); ++c) {
        sum[c] += s[c].item<double>();
        sum_sq[c] += s2[c].item<double>();
      }
      count += static_cast<double>(x.size(1));
    }
    mean_.clear();
    std_.clear();
    for (size_t c = 0; c < sum.size(); ++c) {
      double m = sum[c] / count;
      double var = std::max(0.0, sum_sq[c] / count - m * m);
      mean_.push_back(m);
      // A constant channel would divide by zero: leave it centred but unscaled.
      std_.push_back(std::sqrt(var) > 1e-8 ? std::sqrt(var) : 1.0);
    }
  }

  adapt::TensorDict encode(const adapt::Records& records, size_t row, const adapt::EncodeContext& ctx) const override {
    require_setup();
    const std::string& file = records.at(row, column_);
    torch::Tensor x = series_tensor(read_series(file), channels_, file);
    const int64_t t = x.size(1);
    if (t >= length_) {
      int64_t start = (t - length_) / 2;
      if (random_crop_ && ctx.split == adapt::Split::train && ctx.rng) start = ctx.rng->integer(0, t - length_ + 1);
      x = x.narrow(1, start, length_);
    }
    auto mean = torch::tensor(std::vector<float>(mean_.begin(), mean_.end())).unsqueeze(1);
    auto stdev = torch::tensor(std::vector<float>(std_.begin(), std_.end())).unsqueeze(1);
    x = (x - mean) / stdev;
    if (t < length_) x = torch::constant_pad_nd(x, {0, length_ - t}, 0.0);  // 0 is the channel mean
    return {{"", x.contiguous()}};
  }

  bool random_on_train() const override { return random_crop_; }

  adapt::json dims() const override {
    require_setup();
    return {{"channels", static_cast<int64_t>(mean_.size())}, {"length", length_}};
  }
  adapt::json state() const override {
    return {{"channels", channels_}, {"mean", mean_}, {"std", std_}, {"length", length_}};
  }
  void load_state(const adapt::json& state) override {
    try {
      channels_ = state.at("channels").get<std::vector<std::string>>();
      mean_ = state.at("mean").get<std::vector<double>>();
      std_ = state.at("std").get<std::vector<double>>();
      length_ = state.at("length").get<int64_t>();
    } catch (const adapt::json::exception& e) {
      throw adapt::DataError(std::string("sensor.window: the saved state is incomplete (") + e.what() +
                             "); re-export the model with this plugin version");
    }
    if (mean_.size() != std_.size() || mean_.empty()) {
      throw adapt::DataError("sensor.window: the saved state has mismatched mean/std sizes; re-export the model");
    }
  }
  std::string describe(const adapt::Records& records, size_t row) const override { return records.at(row, column_); }

 private:
  void require_setup() const {
    if (mean_.empty()) throw adapt::Error("sensor.window: encode() before setup() or load_state(); this is a bug in the host");
  }
  std::string column_;
  int64_t length_;
  std::vector<std::string> channels_;
  bool random_crop_;
  std::vector<double> mean_, std_;
};

}  // namespace

void register_block(adapt::Registry& registry) {
  using adapt::OptionSpec;
  using adapt::OptionType;
  registry.add_block(
      "sensor.window", "series file -> [channels, length] window, per-channel normalisation learned on train",
      {OptionSpec("column", OptionType::string, "path", "column holding the series file path"),
       OptionSpec("length", OptionType::integer, 128, "window length in samples (shorter series are zero-padded)").min(4),
       OptionSpec("channels", OptionType::string_list, adapt::json::array(),
                  "channel columns to use, in order; empty: every column of the first training file"),
       OptionSpec("random_crop", OptionType::boolean, true, "random crop position on train (centre otherwise)")},
      [](const adapt::Options& o) {
        return std::make_shared<WindowBlock>(o.string("column"), o.integer("length"), o.strings("channels"),
                                             o.boolean("random_crop"));
      });
}

}  // namespace sensor
