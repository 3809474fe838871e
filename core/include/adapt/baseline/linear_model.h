#pragma once
// Linear models for baselines (core and plugins): standardization, multinomial logistic regression
// and ridge regression on tensors X [n,d]. Deterministic; computed in double precision.
#include <torch/types.h>

#include <cstdint>

#include "adapt/common/error.h"
#include "adapt/common/tensor_dict.h"

namespace adapt {

// Per-feature mean and standard deviation of the training rows; constant features get std 1 so
// they map to 0 instead of NaN.
class ADAPT_API Standardizer {
 public:
  void fit(const torch::Tensor& x);                       // x [n,d], n >= 1
  torch::Tensor transform(const torch::Tensor& x) const;  // double [n,d]
  bool fitted() const { return mean_.defined(); }
  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& std() const { return std_; }
  TensorDict state() const;  // {"mean", "std"}
  void load_state(const TensorDict& state);

 private:
  torch::Tensor mean_, std_;
};

struct LogisticRegressionOptions {
  // Minimises mean cross-entropy + l2/2 * ||W||^2 (intercept not penalised). scikit-learn's
  // LogisticRegression(C) matches l2 = 1 / (C * n_train).
  double l2 = 1e-3;
  int64_t max_iter = 200;     // L-BFGS (or Newton) iterations
  double tolerance = 1e-7;    // on the gradient's largest entry
  bool standardize = true;    // fit on standardised features
};

// Multinomial logistic regression, full batch L-BFGS (strong Wolfe line search); two classes on at
// most 512 features take Newton's method instead (the same optimum in a few passes over the data).
class ADAPT_API LogisticRegression {
 public:
  explicit LogisticRegression(LogisticRegressionOptions options = {});
  // x [n,d] (any float type), y int64 [n] in [0, n_classes). n_classes < 0: max(y) + 1.
  // Classes absent from y get a very low probability. Throws adapt::Error on bad shapes/labels or
  // non-finite features (naming the row and column).
  void fit(const torch::Tensor& x, const torch::Tensor& y, int64_t n_classes = -1);
  torch::Tensor decision_function(const torch::Tensor& x) const;  // logits, double [n,C]
  torch::Tensor predict_log_proba(const torch::Tensor& x) const;  // double [n,C]
  torch::Tensor predict(const torch::Tensor& x) const;            // int64 [n]
  bool fitted() const { return weight_.defined(); }
  int64_t n_classes() const { return n_classes_; }
  int64_t iterations() const { return iterations_; }  // loss evaluations of the last fit
  // Weights on the (standardised, when enabled) features: [d,C]; intercept [C].
  const torch::Tensor& weight() const { return weight_; }
  const torch::Tensor& intercept() const { return intercept_; }
  TensorDict state() const;
  void load_state(const TensorDict& state);

 private:
  LogisticRegressionOptions options_;
  Standardizer scaler_;
  torch::Tensor weight_, intercept_, present_;  // present_: bool [C] classes seen in training
  int64_t n_classes_ = 0, iterations_ = 0;
};

struct RidgeRegressionOptions {
  // Minimises ||y - X w - b||^2 + alpha ||w||^2 (as scikit-learn's Ridge), on standardised
  // features when `standardize`.
  double alpha = 1.0;
  bool standardize = true;
};

// Ridge regression, closed form (primal or dual, whichever system is smaller).
class ADAPT_API RidgeRegression {
 public:
  explicit RidgeRegression(RidgeRegressionOptions options = {});
  // x [n,d]; y [n] or [n,K] float.
  void fit(const torch::Tensor& x, const torch::Tensor& y);
  torch::Tensor predict(const torch::Tensor& x) const;  // double [n,K] (K = 1 for a 1-D y)
  bool fitted() const { return weight_.defined(); }
  const torch::Tensor& weight() const { return weight_; }        // [d,K]
  const torch::Tensor& intercept() const { return intercept_; }  // [K]
  TensorDict state() const;
  void load_state(const TensorDict& state);

 private:
  RidgeRegressionOptions options_;
  Standardizer scaler_;
  torch::Tensor weight_, intercept_;
};

}  // namespace adapt
