#pragma once
// recsys.biases: global mean plus regularised user and item biases (Koren 2010, eq. 2), fitted by
// alternating closed-form updates on the training rows:
//   b_i = sum_u (r - mu - b_u) / (reg_item + n_i),   b_u = sum_i (r - mu - b_i) / (reg_user + n_u)
// Unseen users or items get bias 0. It is the bar a factorisation model must clear.
#include <adapt/baseline/baseline.h>

#include <unordered_map>

namespace adapt::recsys {

class BiasBaseline : public Baseline {
 public:
  BiasBaseline(double reg_user, double reg_item, int64_t iterations);
  static OptionSchema schema();
  std::string description() const override { return "global mean + regularised user and item biases"; }
  void fit(const BaselineContext& ctx) override;
  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override;

  double global_mean() const { return mean_; }

 private:
  double reg_user_, reg_item_;
  int64_t iterations_;
  double mean_ = 0;
  std::unordered_map<std::string, double> user_bias_, item_bias_;
};

// recsys.most_popular: scores an item by log(1 + its training interactions), whoever the user is.
class MostPopularBaseline : public Baseline {
 public:
  static OptionSchema schema() { return {}; }
  std::string description() const override { return "most popular items (training interaction counts)"; }
  void fit(const BaselineContext& ctx) override;
  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override;

 private:
  std::unordered_map<std::string, double> counts_;
};

}  // namespace adapt::recsys
