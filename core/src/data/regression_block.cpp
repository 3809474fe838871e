#include "adapt/data/regression_block.h"

#include "adapt/data/input_parts.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

namespace adapt {

RegressionBlock::RegressionBlock(RegressionBlockOptions options) : options_(std::move(options)) {
  if (options_.columns().empty()) throw OptionError("core.regression.columns: give at least one numeric column");
  std::set<std::string> unique(options_.columns().begin(), options_.columns().end());
  if (unique.size() != options_.columns().size()) {
    throw OptionError("core.regression.columns: a column is listed twice");
  }
  if (options_.y_range() && !(options_.y_range()->first < options_.y_range()->second)) {
    throw OptionError("core.regression.y_range: must be [low, high] with low < high, got [" +
                      std::to_string(options_.y_range()->first) + ", " + std::to_string(options_.y_range()->second) +
                      "]");
  }
  if (options_.missing() != "error" && options_.missing() != "mean") {
    throw OptionError("core.regression.missing: must be \"error\" or \"mean\", got \"" + options_.missing() + "\"");
  }
  // Identity until setup(): a block without normalisation needs no training statistics.
  mean_.assign(options_.columns().size(), 0.0);
  std_.assign(options_.columns().size(), 1.0);
}

double RegressionBlock::parse_number(const std::string& field, const std::string& column, const std::string& origin) {
  const size_t b = field.find_first_not_of(" \t");
  const size_t e = field.find_last_not_of(" \t");
  const std::string s = b == std::string::npos ? std::string() : field.substr(b, e - b + 1);
  char* end = nullptr;
  errno = 0;
  const double value = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(value)) {
    throw DataError("core.regression: " + origin + ": column \"" + column + "\" holds \"" + field +
                    "\", which is not a finite number; fix the value" +
                    (s.empty() ? std::string(" or set missing: \"mean\" to fill empty fields") : std::string()));
  }
  // Parsed in double but computed in float32: a larger value would become inf, then NaN outputs.
  if (std::fabs(value) > std::numeric_limits<float>::max())
    throw DataError("core.regression: " + origin + ": column \"" + column + "\" holds \"" + field +
                    "\", beyond float32's range (+-3.4e38) that models compute in; fix or rescale the value");
  return value;
}

void RegressionBlock::setup(const Records& train) {
  const size_t n_cols = options_.columns().size();
  std::vector<double> mean(n_cols, 0.0), stddev(n_cols, 1.0);
  for (size_t c = 0; c < n_cols; ++c) {
    const auto& name = options_.columns()[c];
    const auto& values = train.column(name);
    // Welford: stable for large offsets (timestamps, ids).
    double m = 0.0, m2 = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      if (options_.missing() == "mean" && values[i].find_first_not_of(" \t") == std::string::npos) continue;
      const double x = parse_number(values[i], name, train.origin(i));
      ++n;
      const double delta = x - m;
      m += delta / static_cast<double>(n);
      m2 += delta * (x - m);
    }
    if (n == 0) {
      throw DataError("core.regression: column \"" + name + "\" of the training split of '" + train.source() +
                      "' has no values to learn from");
    }
    mean[c] = m;
    const double var = n > 1 ? m2 / static_cast<double>(n - 1) : 0.0;
    // A constant column keeps std 1 so standardising it cannot divide by zero.
    stddev[c] = var > 1e-24 ? std::sqrt(var) : 1.0;
  }
  mean_ = std::move(mean);
  std_ = std::move(stddev);
  fitted_ = true;
}

TensorDict RegressionBlock::encode(const Records& records, size_t row, const EncodeContext&) const {
  const size_t n_cols = options_.columns().size();
  torch::Tensor out = torch::empty({static_cast<int64_t>(n_cols)}, torch::kFloat32);
  float* data = out.data_ptr<float>();
  for (size_t c = 0; c < n_cols; ++c) {
    const auto& name = options_.columns()[c];
    const std::string& field = records.at(row, name);
    double x;
    if (options_.missing() == "mean" && field.find_first_not_of(" \t") == std::string::npos) {
      if (!fitted_) throw Error("core.regression: missing: \"mean\" needs setup() or load_state() before encode");
      x = mean_[c];
    } else {
      x = parse_number(field, name, records.origin(row));
    }
    if (options_.normalize()) x = (x - mean_[c]) / std_[c];
    data[c] = static_cast<float>(x);
  }
  return {{"", out}};
}

std::vector<InputPart> RegressionBlock::parts(const Records& records, size_t row, const TensorDict& item) const {
  if (!fitted_) throw Error("core.regression: parts() needs setup() or load_state() first");
  std::vector<double> fill(mean_.size(), 0.0);
  if (!options_.normalize()) fill = mean_;
  std::vector<InputPart> parts = replaced_entries(item, "", fill);
  for (size_t c = 0; c < parts.size(); ++c)
    parts[c].name = options_.columns()[c] + "=" + records.at(row, options_.columns()[c]);
  return parts;
}

json RegressionBlock::dims() const {
  json d = {{"n_features", static_cast<int64_t>(options_.columns().size())}};
  if (options_.y_range()) {
    double low = options_.y_range()->first, high = options_.y_range()->second;
    if (options_.normalize()) {
      // The model predicts standardised values; its range must be standardised too (first column).
      low = (low - mean_[0]) / std_[0];
      high = (high - mean_[0]) / std_[0];
    }
    d["y_range"] = {low, high};
  }
  if (options_.normalize()) {  // raw = model units * scale + shift: metrics and reports show raw units
    d["output_scale"] = std_;
    d["output_shift"] = mean_;
  }
  return d;
}

json RegressionBlock::state() const {
  return {{"columns", options_.columns()}, {"mean", mean_}, {"std", std_}, {"fitted", fitted_}};
}

void RegressionBlock::load_state(const json& state) {
  const size_t n_cols = options_.columns().size();
  auto numbers = [&](const char* key) {
    if (!state.is_object() || !state.contains(key) || !state[key].is_array() || state[key].size() != n_cols) {
      throw DataError(std::string("core.regression: saved state needs \"") + key + "\": a list of " +
                      std::to_string(n_cols) + " numbers (one per column), got " + state.dump().substr(0, 200));
    }
    std::vector<double> out;
    for (const auto& v : state[key]) {
      if (!v.is_number()) throw DataError(std::string("core.regression: saved \"") + key + "\" holds " + v.dump());
      out.push_back(v.get<double>());
    }
    return out;
  };
  std::vector<double> mean = numbers("mean"), stddev = numbers("std");
  for (double s : stddev) {
    if (!(s > 0.0) || !std::isfinite(s)) throw DataError("core.regression: saved std holds " + std::to_string(s));
  }
  if (state.contains("columns") && state["columns"] != json(options_.columns())) {
    throw DataError("core.regression: saved state is for columns " + state["columns"].dump() + " but the block reads " +
                    json(options_.columns()).dump());
  }
  mean_ = std::move(mean);
  std_ = std::move(stddev);
  fitted_ = state.value("fitted", true);
}

json RegressionBlock::decode(const torch::Tensor& output_row) const {
  const torch::Tensor out = output_row.detach().to(torch::kCPU, torch::kDouble).contiguous().reshape({-1});
  const size_t n_cols = options_.columns().size();
  if (out.numel() != static_cast<int64_t>(n_cols)) {
    throw Error("core.regression: decode got " + std::to_string(out.numel()) + " outputs but the block has " +
                std::to_string(n_cols) + " columns; the model's output width must equal n_outputs()");
  }
  return decode_values(out.data_ptr<double>());
}

std::vector<json> RegressionBlock::decode_batch(const torch::Tensor& outputs) const {
  const auto width = static_cast<int64_t>(options_.columns().size());
  if (outputs.dim() < 1 || outputs.numel() != outputs.size(0) * width) return Block::decode_batch(outputs);
  const torch::Tensor values = outputs.detach().to(torch::kCPU, torch::kDouble).contiguous();
  std::vector<json> decoded;
  decoded.reserve(static_cast<size_t>(outputs.size(0)));
  for (int64_t i = 0; i < outputs.size(0); ++i) decoded.push_back(decode_values(values.data_ptr<double>() + i * width));
  return decoded;
}

json RegressionBlock::decode_values(const double* data) const {
  json values = json::object();
  double first = 0.0;
  for (size_t c = 0; c < options_.columns().size(); ++c) {
    double x = data[c];
    if (options_.normalize()) x = x * std_[c] + mean_[c];
    if (c == 0) first = x;
    values[options_.columns()[c]] = x;
  }
  json out = json::object();  // key by key: an initializer list would copy `values`
  out["value"] = first;
  out["values"] = std::move(values);
  return out;
}

}  // namespace adapt
