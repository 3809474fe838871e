#include "implicit_target.h"

#include <torch/torch.h>

#include <cmath>

#include "rating_target.h"

namespace adapt::recsys {

ImplicitTarget::ImplicitTarget(std::string column, double threshold)
    : column_(std::move(column)), threshold_(threshold) {}

OptionSchema ImplicitTarget::schema() {
  return {
      OptionSpec("column", OptionType::string, "",
                 "rating column; empty: every interaction is a positive"),
      OptionSpec("threshold", OptionType::number, 0.0, "with a column: ratings >= threshold are positives"),
  };
}

std::vector<std::string> ImplicitTarget::columns() const {
  if (column_.empty()) return {};
  return {column_};
}

TensorDict ImplicitTarget::encode(const Records& records, size_t row, const EncodeContext&) const {
  // int64 0/1: the core's binary metrics (accuracy, AUROC) take class targets; BCE accepts them too.
  int64_t label = 1;
  if (!column_.empty()) label = parse_rating(records, row, column_, "recsys.implicit") >= threshold_ ? 1 : 0;
  return {{"", torch::tensor({label}, torch::kInt64)}};
}

void ImplicitTarget::load_state(const json& state) {
  column_ = state.value("column", column_);
  threshold_ = state.value("threshold", threshold_);
}

json ImplicitTarget::decode(const torch::Tensor& output_row) const {
  const double logit = output_row.reshape({-1})[0].item<double>();
  return {{"score", 1.0 / (1.0 + std::exp(-logit))}};
}

}  // namespace adapt::recsys
