// Baselines reported beside the network in every tabular run, fitted on the training rows only:
//   tabular.linear   logistic (classification) or ridge (regression) regression on one-hot
//                    categories plus the standardised continuous columns (core linear_model.h)
//   tabular.xgboost  gradient-boosted trees from libxgboost (C API), on category codes (0 = missing)
//                    and continuous columns
#include <fmt/format.h>
#include <torch/torch.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <memory>

#include "adapt/baseline/core_baselines.h"
#include "adapt/baseline/linear_model.h"
#include "adapt/common/threads.h"
#include "register.h"
#include "table_features.h"

namespace adapt::tabular {

namespace {

class LinearTableBaseline : public Baseline {
 public:
  explicit LinearTableBaseline(const Options& o) : c_(o.number("C")), alpha_(o.number("alpha")), max_iter_(o.integer("max_iter")) {}

  std::string description() const override {
    return kind_ == TargetKind::classification
               ? fmt::format("logistic regression on one-hot categories + continuous columns (C={})", c_)
               : fmt::format("ridge regression on one-hot categories + continuous columns (alpha={})", alpha_);
  }

  void fit(const BaselineContext& ctx) override {
    kind_ = target_kind(ctx.blocks, "tabular.linear");
    const auto x = one_hot_features(table_matrix(ctx.blocks, ctx.records, ctx.split.train, "tabular.linear"));
    const auto y = baseline_targets(ctx, ctx.split.train);
    if (kind_ == TargetKind::classification) {
      LogisticRegressionOptions options;
      options.l2 = 1.0 / (c_ * static_cast<double>(x.size(0)));  // scikit-learn's C
      options.max_iter = max_iter_;
      logistic_ = LogisticRegression(options);
      logistic_.fit(x, y.to(torch::kInt64), ctx.blocks.target().block->n_outputs());
    } else {
      RidgeRegressionOptions options;
      options.alpha = alpha_;
      ridge_ = RidgeRegression(options);
      ridge_.fit(x, y.to(torch::kFloat64));
    }
  }

  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override {
    const auto x = one_hot_features(table_matrix(ctx.blocks, ctx.records, rows, "tabular.linear"));
    if (kind_ == TargetKind::classification) return logistic_.predict_log_proba(x).to(torch::kFloat32);
    return ridge_.predict(x).to(torch::kFloat32);
  }

 private:
  double c_, alpha_;
  int64_t max_iter_;
  TargetKind kind_ = TargetKind::classification;
  LogisticRegression logistic_;
  RidgeRegression ridge_;
};

void check_xgb(int status, const char* call) {
  if (status != 0) throw Error(fmt::format("tabular.xgboost: {} failed: {}", call, XGBGetLastError()));
}

// Category codes as numbers with code 0 as missing (trees split on them directly), then the
// continuous columns: float [n, n_cat + n_cont], row-major.
torch::Tensor tree_features(const TableMatrix& table) {
  auto cat = table.cat.to(torch::kFloat32);
  cat.masked_fill_(table.cat == 0, std::numeric_limits<float>::quiet_NaN());
  return torch::cat({cat, table.cont}, 1).contiguous();
}

struct DMatrix {
  DMatrixHandle handle = nullptr;
  explicit DMatrix(const torch::Tensor& x) {
    check_xgb(XGDMatrixCreateFromMat(x.data_ptr<float>(), static_cast<bst_ulong>(x.size(0)),
                                     static_cast<bst_ulong>(x.size(1)), std::numeric_limits<float>::quiet_NaN(),
                                     &handle),
              "XGDMatrixCreateFromMat");
  }
  ~DMatrix() {
    if (handle) XGDMatrixFree(handle);
  }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
};

class XGBoostBaseline : public Baseline {
 public:
  explicit XGBoostBaseline(const Options& o) : options_(o) {}

  std::string description() const override {
    return fmt::format("XGBoost {} ({} rounds, max_depth {}, eta {})", version(), options_.integer("n_rounds"),
                       options_.integer("max_depth"), options_.number("eta"));
  }

  void fit(const BaselineContext& ctx) override {
    kind_ = target_kind(ctx.blocks, "tabular.xgboost");
    n_classes_ = ctx.blocks.target().block->n_outputs();
    const auto x = tree_features(table_matrix(ctx.blocks, ctx.records, ctx.split.train, "tabular.xgboost"));
    auto y = baseline_targets(ctx, ctx.split.train).to(torch::kFloat32).contiguous();
    if (kind_ == TargetKind::regression && y.numel() != x.size(0)) {
      throw OptionError("tabular.xgboost: regression with more than one target value per row is not supported; "
                        "use tabular.linear");
    }
    DMatrix train(x);
    check_xgb(XGDMatrixSetFloatInfo(train.handle, "label", y.data_ptr<float>(), static_cast<bst_ulong>(y.numel())),
              "XGDMatrixSetFloatInfo");
    BoosterHandle raw = nullptr;
    check_xgb(XGBoosterCreate(&train.handle, 1, &raw), "XGBoosterCreate");
    booster_ = std::shared_ptr<void>(raw, [](void* b) { XGBoosterFree(b); });
    const auto set = [&](const char* key, const std::string& value) {
      check_xgb(XGBoosterSetParam(booster_.get(), key, value.c_str()), "XGBoosterSetParam");
    };
    if (kind_ == TargetKind::regression) {
      set("objective", "reg:squarederror");
    } else if (n_classes_ == 2) {
      set("objective", "binary:logistic");
    } else {
      set("objective", "multi:softprob");
      set("num_class", std::to_string(n_classes_));
    }
    set("tree_method", "hist");
    set("max_depth", std::to_string(options_.integer("max_depth")));
    set("eta", fmt::format("{}", options_.number("eta")));
    set("subsample", fmt::format("{}", options_.number("subsample")));
    set("colsample_bytree", fmt::format("{}", options_.number("colsample_bytree")));
    set("min_child_weight", fmt::format("{}", options_.number("min_child_weight")));
    set("lambda", fmt::format("{}", options_.number("lambda")));
    set("seed", std::to_string(options_.integer("seed")));
    set("nthread", std::to_string(std::max(1, num_threads())));
    set("verbosity", "0");
    for (int64_t round = 0; round < options_.integer("n_rounds"); ++round)
      check_xgb(XGBoosterUpdateOneIter(booster_.get(), static_cast<int>(round), train.handle), "XGBoosterUpdateOneIter");
  }

  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override {
    if (!booster_) throw Error("tabular.xgboost: predict() before fit()");
    const auto x = tree_features(table_matrix(ctx.blocks, ctx.records, rows, "tabular.xgboost"));
    DMatrix data(x);
    bst_ulong length = 0;
    const float* result = nullptr;
    check_xgb(XGBoosterPredict(booster_.get(), data.handle, 0, 0, 0, &length, &result), "XGBoosterPredict");
    const int64_t n = x.size(0);
    auto out = torch::from_blob(const_cast<float*>(result), {static_cast<int64_t>(length)}, torch::kFloat32).clone();
    if (kind_ == TargetKind::regression) return out.view({n, 1});
    if (n_classes_ == 2) {
      const auto p = out.clamp(1e-7, 1 - 1e-7);
      return torch::stack({torch::log1p(-p), torch::log(p)}, 1);
    }
    return out.view({n, n_classes_}).clamp_min(1e-7).log();
  }

  static std::string version() {
    int major = 0, minor = 0, patch = 0;
    XGBoostVersion(&major, &minor, &patch);
    return fmt::format("{}.{}.{}", major, minor, patch);
  }

 private:
  Options options_;
  TargetKind kind_ = TargetKind::classification;
  int64_t n_classes_ = 0;
  std::shared_ptr<void> booster_;
};

}  // namespace

void register_baselines(Registry& registry) {
  registry.add_baseline(
      "tabular.linear", "logistic / ridge regression on one-hot categories and standardised continuous columns",
      {OptionSpec("C", OptionType::number, 1.0, "inverse L2 strength for classification, as scikit-learn's C")
           .greater_than(0),
       OptionSpec("alpha", OptionType::number, 1.0, "ridge L2 strength for regression").min(0),
       OptionSpec("max_iter", OptionType::integer, 200, "L-BFGS iterations").min(1)},
      [](const Options& o) { return std::make_shared<LinearTableBaseline>(o); });
  registry.add_baseline(
      "tabular.xgboost", "gradient-boosted trees (libxgboost) on category codes and continuous columns",
      {OptionSpec("n_rounds", OptionType::integer, 300, "boosting rounds").min(1),
       OptionSpec("max_depth", OptionType::integer, 6, "tree depth").min(1).max(32),
       OptionSpec("eta", OptionType::number, 0.1, "learning rate").greater_than(0).max(1),
       OptionSpec("subsample", OptionType::number, 1.0, "row subsampling per tree").greater_than(0).max(1),
       OptionSpec("colsample_bytree", OptionType::number, 1.0, "column subsampling per tree").greater_than(0).max(1),
       OptionSpec("min_child_weight", OptionType::number, 1.0, "minimum hessian in a leaf").min(0),
       OptionSpec("lambda", OptionType::number, 1.0, "L2 on leaf weights").min(0),
       OptionSpec("seed", OptionType::integer, 0, "random seed").min(0)},
      [](const Options& o) { return std::make_shared<XGBoostBaseline>(o); });
}

}  // namespace adapt::tabular
