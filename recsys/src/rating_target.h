#pragma once
// recsys.rating: an explicit rating as a regression target (float [1], MSE). Predictions are clamped
// to [min, max] when given, since a rating outside the scale is never right.
#include <adapt/data/block.h>

#include <optional>

namespace adapt::recsys {

class RatingTarget : public Block {
 public:
  RatingTarget(std::string column, std::optional<double> min, std::optional<double> max);
  static OptionSchema schema();
  static std::shared_ptr<RatingTarget> create(const Options& options);

  std::vector<std::string> columns() const override { return {column_}; }
  void setup(const Records& train) override;
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  json dims() const override;
  json state() const override;
  void load_state(const json& state) override;
  std::string loss() const override { return "mse"; }
  int64_t n_outputs() const override { return 1; }
  json decode(const torch::Tensor& output_row) const override;
  std::vector<json> decode_batch(const torch::Tensor& outputs) const override;

  double clamp(double rating) const;
  double train_mean() const { return mean_; }

 private:
  std::string column_;
  std::optional<double> min_, max_;
  double mean_ = 0.0;
};

// Parses a rating field; throws DataError naming the record origin, the column and the value.
double parse_rating(const Records& records, size_t row, const std::string& column, const std::string& component);

}  // namespace adapt::recsys
