#include "rating_target.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace adapt::recsys {

double parse_rating(const Records& records, size_t row, const std::string& column, const std::string& component) {
  const std::string& text = records.at(row, column);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    throw DataError(component + ": " + records.origin(row) + ", field \"" + column + "\": \"" + text +
                    "\" is not a number; ratings must be numeric");
  }
  return value;
}

RatingTarget::RatingTarget(std::string column, std::optional<double> min, std::optional<double> max)
    : column_(std::move(column)), min_(min), max_(max) {}

OptionSchema RatingTarget::schema() {
  return {
      OptionSpec("column", OptionType::string, "rating", "column holding the rating"),
      OptionSpec("min", OptionType::number, nullptr, "lowest rating on the scale; predictions are clamped to it"),
      OptionSpec("max", OptionType::number, nullptr, "highest rating on the scale; predictions are clamped to it"),
  };
}

std::shared_ptr<RatingTarget> RatingTarget::create(const Options& options) {
  std::optional<double> min, max;
  if (options.has("min")) min = options.number("min");
  if (options.has("max")) max = options.number("max");
  if (min && max && *min >= *max) {
    throw options.error("max", "must be greater than min (" + std::to_string(*min) + "), got " + std::to_string(*max));
  }
  return std::make_shared<RatingTarget>(options.string("column"), min, max);
}

void RatingTarget::setup(const Records& train) {
  double sum = 0.0;
  for (size_t r = 0; r < train.size(); ++r) sum += parse_rating(train, r, column_, "recsys.rating");
  mean_ = train.empty() ? 0.0 : sum / static_cast<double>(train.size());
}

TensorDict RatingTarget::encode(const Records& records, size_t row, const EncodeContext&) const {
  const double value = parse_rating(records, row, column_, "recsys.rating");
  if ((min_ && value < *min_) || (max_ && value > *max_)) {
    throw DataError("recsys.rating: " + records.origin(row) + ", field \"" + column_ + "\": " +
                    records.at(row, column_) + " is outside the declared scale [" +
                    (min_ ? std::to_string(*min_) : "-inf") + ", " + (max_ ? std::to_string(*max_) : "inf") +
                    "]; fix the data or the target's min/max");
  }
  return {{"", torch::tensor({static_cast<float>(value)})}};
}

json RatingTarget::dims() const {
  json d = {{"mean", mean_}};
  if (min_ && max_) d["range"] = {*min_, *max_};
  return d;
}

json RatingTarget::state() const {
  json s = {{"column", column_}, {"mean", mean_}, {"min", nullptr}, {"max", nullptr}};
  if (min_) s["min"] = *min_;
  if (max_) s["max"] = *max_;
  return s;
}

void RatingTarget::load_state(const json& state) {
  column_ = state.value("column", column_);
  mean_ = state.value("mean", 0.0);
  min_ = state.contains("min") && !state["min"].is_null() ? std::optional<double>(state["min"].get<double>())
                                                          : std::nullopt;
  max_ = state.contains("max") && !state["max"].is_null() ? std::optional<double>(state["max"].get<double>())
                                                          : std::nullopt;
}

double RatingTarget::clamp(double rating) const {
  if (min_) rating = std::max(rating, *min_);
  if (max_) rating = std::min(rating, *max_);
  return rating;
}

json RatingTarget::decode(const torch::Tensor& output_row) const {
  return {{"rating", clamp(output_row.reshape({-1})[0].item<double>())}};
}

std::vector<json> RatingTarget::decode_batch(const torch::Tensor& outputs) const {
  if (outputs.dim() < 1 || outputs.numel() < outputs.size(0)) return Block::decode_batch(outputs);
  // Each row's first value, as decode() reads it.
  const torch::Tensor first = outputs.detach().reshape({outputs.size(0), -1}).select(1, 0).to(torch::kCPU, torch::kDouble).contiguous();
  std::vector<json> decoded;
  decoded.reserve(static_cast<size_t>(first.numel()));
  for (int64_t i = 0; i < first.numel(); ++i) {
    json& d = decoded.emplace_back(json::object());  // key by key: no initializer list per row
    d["rating"] = clamp(first.data_ptr<double>()[i]);
  }
  return decoded;
}

}  // namespace adapt::recsys
