#include "adapt/baseline/linear_model.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/linalg.h>
#include <torch/optim/lbfgs.h>

#include <cmath>

#include "adapt/common/tensor_text.h"

namespace adapt {
namespace {

// Features as double [n,d]; a non-finite value is an Error naming its row and column.
torch::Tensor features(const char* who, const torch::Tensor& x, int64_t expected_d = -1) {
  if (!x.defined() || x.dim() != 2)
    throw Error(fmt::format("{}: features must be a 2-D tensor [rows, features], got {}", who,
                            x.defined() ? shape_text(x) : "an undefined tensor"));
  if (expected_d >= 0 && x.size(1) != expected_d)
    throw Error(fmt::format("{}: the model was fitted on {} features but got {}", who, expected_d, x.size(1)));
  auto out = x.detach().to(torch::kCPU, torch::kDouble).contiguous();
  auto finite = torch::isfinite(out);
  if (!finite.all().item<bool>()) {
    auto where = finite.logical_not().nonzero()[0];
    throw Error(fmt::format("{}: feature {} of row {} is {}; remove or impute non-finite values before fitting", who,
                            where[1].item<int64_t>(), where[0].item<int64_t>(),
                            out[where[0]][where[1]].item<double>()));
  }
  return out;
}

torch::Tensor require(const TensorDict& state, const std::string& key, const char* who) {
  auto it = state.find(key);
  if (it == state.end()) throw Error(fmt::format("{}: saved state has no '{}'; was it saved by this model?", who, key));
  return it->second.to(torch::kCPU, torch::kDouble);
}

// Two classes and at most this many features: Newton's method (below) instead of L-BFGS.
constexpr int64_t kNewtonMaxFeatures = 512;

// Two-class logistic regression by Newton's method with a backtracking (Armijo) line search. The
// multinomial model's two logit columns only matter through their difference v = z delta + beta, and
// its penalty l2/2 (|w0|^2 + |w1|^2) is smallest, for a given delta = w1 - w0, at w1 = -w0 = delta/2:
// l2/4 |delta|^2. So the same optimum is min mean(softplus(v) - y v) + r/2 |delta|^2 with r = l2/2.
// Each iteration costs one weighted Gram matrix [d+1, d+1] and it reaches the gradient tolerance in
// about ten, where L-BFGS passes over the data hundreds of times (inspect's out-of-fold fits on UCI
// Adult spent most of their time there, bench/inspect). theta = [delta; beta] [d+1] is updated in
// place; returns the objective evaluations, or -1 when the Hessian is not positive definite (l2 = 0
// on separable data): the caller falls back to L-BFGS.
int64_t fit_two_class_newton(const torch::Tensor& z, const torch::Tensor& y, double l2, int64_t max_iter,
                             double tolerance, torch::Tensor& theta) {
  const int64_t n = z.size(0), d = z.size(1);
  const auto za = torch::cat({z, torch::ones({n, 1}, torch::kDouble)}, 1);
  auto ridge = torch::full({d + 1}, l2 / 2, torch::kDouble);
  ridge[d] = 0.0;  // the intercept is not penalised
  auto objective = [&](const torch::Tensor& t, torch::Tensor& v) {
    v = za.mv(t);
    return (torch::softplus(v) - y * v).mean().item<double>() + 0.5 * (ridge * t * t).sum().item<double>();
  };
  torch::Tensor v;
  double f = objective(theta, v);
  int64_t evaluations = 1;
  for (int64_t it = 0; it < max_iter; ++it) {
    const auto p = torch::sigmoid(v);
    const auto grad = za.t().mv(p - y) / static_cast<double>(n) + ridge * theta;
    if (grad.abs().max().item<double>() <= tolerance) break;
    const auto weight = (p * (1 - p)).unsqueeze(1);
    auto hessian = za.t().mm(za * weight) / static_cast<double>(n);
    hessian.diagonal().add_(ridge);
    const auto [chol, info] = torch::linalg_cholesky_ex(hessian);
    if (info.item<int64_t>() != 0) return -1;
    const auto step = torch::cholesky_solve(grad.unsqueeze(1), chol).squeeze(1);
    const double slope = grad.dot(step).item<double>();
    double t = 1.0, f_new = f;
    torch::Tensor v_new;
    for (int halving = 0; halving < 40; ++halving, t /= 2) {
      f_new = objective(theta - t * step, v_new);
      ++evaluations;
      if (f_new <= f - 1e-4 * t * slope) break;
    }
    if (!(f_new < f)) break;  // no decrease left at double precision: the optimum
    theta = theta - t * step;
    v = v_new;
    f = f_new;
  }
  return evaluations;
}

}  // namespace

// ---- Standardizer ------------------------------------------------------------------------------

void Standardizer::fit(const torch::Tensor& x_in) {
  auto x = features("Standardizer", x_in);
  if (x.size(0) < 1) throw Error("Standardizer: cannot fit on 0 rows");
  mean_ = x.mean(0);
  std_ = x.std(0, /*unbiased=*/false);
  // Constant features: scale 1, so they map to 0 rather than NaN.
  auto tiny = std_.le(1e-12 * mean_.abs().clamp_min(1.0));
  std_ = torch::where(tiny, torch::ones_like(std_), std_);
}

torch::Tensor Standardizer::transform(const torch::Tensor& x) const {
  if (!fitted()) throw Error("Standardizer: transform called before fit");
  return (features("Standardizer", x, mean_.size(0)) - mean_) / std_;
}

TensorDict Standardizer::state() const { return {{"mean", mean_}, {"std", std_}}; }

void Standardizer::load_state(const TensorDict& state) {
  mean_ = require(state, "mean", "Standardizer");
  std_ = require(state, "std", "Standardizer");
}

// ---- LogisticRegression ------------------------------------------------------------------------

LogisticRegression::LogisticRegression(LogisticRegressionOptions options) : options_(options) {
  if (!(options_.l2 >= 0))
    throw OptionError(fmt::format("logistic regression: l2 must be >= 0, got {}", options_.l2));
  if (options_.max_iter < 1)
    throw OptionError(fmt::format("logistic regression: max_iter must be >= 1, got {}", options_.max_iter));
}

void LogisticRegression::fit(const torch::Tensor& x_in, const torch::Tensor& y_in, int64_t n_classes) {
  const char* who = "logistic regression";
  auto x = features(who, x_in);
  if (!y_in.defined() || y_in.dim() != 1 || y_in.size(0) != x.size(0) || y_in.is_floating_point())
    throw Error(fmt::format("{}: labels must be int64 [{}] to match the features {}, got {}", who, x.size(0),
                            shape_text(x), y_in.defined() ? shape_text(y_in) : "undefined"));
  if (x.size(0) == 0) throw Error(fmt::format("{}: cannot fit on 0 rows", who));
  auto y = y_in.to(torch::kCPU, torch::kLong);
  const int64_t y_min = y.min().item<int64_t>(), y_max = y.max().item<int64_t>();
  if (n_classes < 0) n_classes = y_max + 1;
  if (y_min < 0 || y_max >= n_classes)
    throw Error(fmt::format("{}: labels must lie in [0, {}), got values from {} to {}", who, n_classes, y_min, y_max));
  n_classes_ = n_classes;

  scaler_.fit(x);
  if (!options_.standardize) scaler_.load_state({{"mean", scaler_.mean()}, {"std", torch::ones_like(scaler_.std())}});
  auto z = scaler_.transform(x);

  // Fit on the classes present only (an absent class would push its intercept to -infinity).
  auto counts = at::bincount(y, {}, n_classes);
  present_ = counts.gt(0);
  auto present_idx = present_.nonzero().reshape({-1});
  const int64_t k = present_idx.numel(), d = z.size(1);
  auto remap = torch::full({n_classes}, -1, torch::kLong);
  remap.index_put_({present_idx}, torch::arange(k, torch::kLong));
  auto yk = remap.index({y});

  weight_ = torch::zeros({d, n_classes}, torch::kDouble);
  intercept_ = torch::zeros({n_classes}, torch::kDouble);
  iterations_ = 0;
  if (k < 2) return;  // one class: it always wins (see predict_log_proba)

  // Start the intercept at the log class priors: the optimum when features carry no signal.
  const auto log_priors = counts.index({present_idx}).to(torch::kDouble).log();
  if (k == 2 && d <= kNewtonMaxFeatures) {
    auto theta = torch::zeros({d + 1}, torch::kDouble);
    theta[d] = log_priors[1] - log_priors[0];
    const int64_t evaluations =
        fit_two_class_newton(z, yk.eq(1).to(torch::kDouble), options_.l2, options_.max_iter, options_.tolerance, theta);
    if (evaluations >= 0) {
      iterations_ = evaluations;
      const auto half = theta / 2;
      weight_.index_copy_(1, present_idx, torch::stack({-half.narrow(0, 0, d), half.narrow(0, 0, d)}, 1));
      intercept_.index_copy_(0, present_idx, torch::stack({-half[d], half[d]}));
      return;
    }
  }
  auto w = torch::zeros({d, k}, torch::kDouble).requires_grad_(true);
  auto b = log_priors.clone().requires_grad_(true);
  torch::optim::LBFGS solver({w, b}, torch::optim::LBFGSOptions(1.0)
                                         .max_iter(options_.max_iter)
                                         .max_eval(options_.max_iter * 5 / 4 + 1)
                                         .tolerance_grad(options_.tolerance)
                                         .tolerance_change(1e-16)
                                         .history_size(20)
                                         .line_search_fn("strong_wolfe"));
  const double l2 = options_.l2;
  auto closure = [&]() {
    solver.zero_grad();
    auto loss = at::cross_entropy_loss(torch::addmm(b, z, w), yk, {}, at::Reduction::Mean, -100, 0.0) +
                0.5 * l2 * w.pow(2).sum();
    loss.backward();
    ++iterations_;
    return loss;
  };
  solver.step(closure);
  weight_.index_copy_(1, present_idx, w.detach());
  intercept_.index_copy_(0, present_idx, b.detach());
}

torch::Tensor LogisticRegression::decision_function(const torch::Tensor& x) const {
  if (!fitted()) throw Error("logistic regression: predict called before fit");
  auto logits = torch::addmm(intercept_, scaler_.transform(x), weight_);
  // Absent classes: 1e-9 of the probability mass of the present ones.
  auto present_logits = logits.index({torch::indexing::Slice(), present_});
  auto lse = present_logits.logsumexp(1, /*keepdim=*/true);
  return torch::where(present_.unsqueeze(0), logits, lse + std::log(1e-9));
}

torch::Tensor LogisticRegression::predict_log_proba(const torch::Tensor& x) const {
  return decision_function(x).log_softmax(1);
}

torch::Tensor LogisticRegression::predict(const torch::Tensor& x) const { return decision_function(x).argmax(1); }

TensorDict LogisticRegression::state() const {
  return {{"mean", scaler_.mean()}, {"std", scaler_.std()}, {"weight", weight_}, {"intercept", intercept_},
          {"present", present_}};
}

void LogisticRegression::load_state(const TensorDict& state) {
  const char* who = "logistic regression";
  scaler_.load_state({{"mean", require(state, "mean", who)}, {"std", require(state, "std", who)}});
  weight_ = require(state, "weight", who);
  intercept_ = require(state, "intercept", who);
  present_ = require(state, "present", who).gt(0.5);
  n_classes_ = intercept_.size(0);
  if (weight_.dim() != 2 || weight_.size(0) != scaler_.mean().size(0) || weight_.size(1) != n_classes_ ||
      present_.numel() != n_classes_)
    throw Error(fmt::format("{}: saved state is inconsistent (weight {}, intercept {}, {} features)", who,
                            shape_text(weight_), shape_text(intercept_), scaler_.mean().size(0)));
}

// ---- RidgeRegression ---------------------------------------------------------------------------

RidgeRegression::RidgeRegression(RidgeRegressionOptions options) : options_(options) {
  if (!(options_.alpha >= 0))
    throw OptionError(fmt::format("ridge regression: alpha must be >= 0, got {}", options_.alpha));
}

void RidgeRegression::fit(const torch::Tensor& x_in, const torch::Tensor& y_in) {
  const char* who = "ridge regression";
  auto x = features(who, x_in);
  if (!y_in.defined() || y_in.dim() < 1 || y_in.dim() > 2 || y_in.size(0) != x.size(0))
    throw Error(fmt::format("{}: targets must be [{}] or [{}, K] to match the features {}, got {}", who, x.size(0),
                            x.size(0), shape_text(x), y_in.defined() ? shape_text(y_in) : "undefined"));
  if (x.size(0) == 0) throw Error(fmt::format("{}: cannot fit on 0 rows", who));
  auto y = features(who, y_in.reshape({y_in.size(0), -1}));
  scaler_.fit(x);
  if (!options_.standardize) scaler_.load_state({{"mean", scaler_.mean()}, {"std", torch::ones_like(scaler_.std())}});
  auto z = scaler_.transform(x);  // centred, so the unpenalised intercept is the target mean
  auto y_mean = y.mean(0);
  auto yc = y - y_mean;
  const int64_t n = z.size(0), d = z.size(1);
  auto solve = [](const torch::Tensor& a, const torch::Tensor& rhs) {
    try {
      return torch::linalg::solve(a, rhs, /*left=*/true);
    } catch (const c10::Error&) {  // singular (alpha 0 with collinear features): least norm solution
      return torch::linalg::pinv(a).matmul(rhs);
    }
  };
  if (d <= n) {
    auto a = z.t().matmul(z) + options_.alpha * torch::eye(d, torch::kDouble);
    weight_ = solve(a, z.t().matmul(yc));
  } else {  // dual form: an n x n system
    auto a = z.matmul(z.t()) + options_.alpha * torch::eye(n, torch::kDouble);
    weight_ = z.t().matmul(solve(a, yc));
  }
  intercept_ = y_mean;
}

torch::Tensor RidgeRegression::predict(const torch::Tensor& x) const {
  if (!fitted()) throw Error("ridge regression: predict called before fit");
  return torch::addmm(intercept_, scaler_.transform(x), weight_);
}

TensorDict RidgeRegression::state() const {
  return {{"mean", scaler_.mean()}, {"std", scaler_.std()}, {"weight", weight_}, {"intercept", intercept_}};
}

void RidgeRegression::load_state(const TensorDict& state) {
  const char* who = "ridge regression";
  scaler_.load_state({{"mean", require(state, "mean", who)}, {"std", require(state, "std", who)}});
  weight_ = require(state, "weight", who);
  intercept_ = require(state, "intercept", who);
}

}  // namespace adapt
