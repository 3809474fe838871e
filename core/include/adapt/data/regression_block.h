#pragma once
// core.regression: one or more numeric columns <-> a float vector. As an input it feeds numeric
// features to a model (optionally standardised with training mean/std); as a target the loss is MSE
// and dims()["y_range"] lets a model squash its output into a known range (fastai's y_range).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapt/data/block.h"

namespace adapt {

struct ADAPT_API RegressionBlockOptions {
  explicit RegressionBlockOptions(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  RegressionBlockOptions& columns(std::vector<std::string> value) { columns_ = std::move(value); return *this; }
  // Target range (low < high) in raw units.
  RegressionBlockOptions& y_range(std::optional<std::pair<double, double>> value) { y_range_ = value; return *this; }
  // Standardise each column with the training mean and standard deviation.
  RegressionBlockOptions& normalize(bool value) { normalize_ = value; return *this; }
  // "error": an empty field is a DataError; "mean": it takes the training mean.
  RegressionBlockOptions& missing(std::string value) { missing_ = std::move(value); return *this; }
  const std::vector<std::string>& columns() const { return columns_; }
  const std::optional<std::pair<double, double>>& y_range() const { return y_range_; }
  bool normalize() const { return normalize_; }
  const std::string& missing() const { return missing_; }

 private:
  std::vector<std::string> columns_;
  std::optional<std::pair<double, double>> y_range_;
  bool normalize_ = false;
  std::string missing_ = "error";
};

class ADAPT_API RegressionBlock : public Block {
 public:
  explicit RegressionBlock(RegressionBlockOptions options);

  std::vector<std::string> columns() const override { return options_.columns(); }
  void setup(const Records& train) override;
  // {"": float [n_columns]}
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  // Explanations: each column set to its training mean, named "column=value".
  std::vector<InputPart> parts(const Records& records, size_t row, const TensorDict& item) const override;
  // {"n_features": n, "y_range": [low, high]} with y_range in the encoded (standardised) units; with
  // normalize, "output_scale" and "output_shift": each column's training std and mean (raw = value *
  // scale + shift), so RMSE and MAE (Metric::set_output_scale) and the top losses report raw units.
  json dims() const override;
  json state() const override;  // {"mean": [...], "std": [...]}
  void load_state(const json& state) override;

  std::string loss() const override { return "mse"; }
  int64_t n_outputs() const override { return static_cast<int64_t>(options_.columns().size()); }
  // {"value": x} for one column (raw units), plus {"values": {column: x}}.
  json decode(const torch::Tensor& output_row) const override;
  std::vector<json> decode_batch(const torch::Tensor& outputs) const override;

  // Parses one field; DataError naming `origin`, the column and the value when it is not a finite number.
  static double parse_number(const std::string& field, const std::string& column, const std::string& origin);
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& stddev() const { return std_; }

 private:
  json decode_values(const double* row) const;  // one row of n_outputs() values, model units
  RegressionBlockOptions options_;
  bool fitted_ = false;
  std::vector<double> mean_, std_;
};

}  // namespace adapt
