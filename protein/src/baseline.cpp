// protein.composition_logistic: multinomial logistic regression (linear_model.h) on amino-acid
// composition (20 frequencies) and dipeptide composition (400 frequencies of adjacent standard pairs),
// the classic non-deep baseline for peptide classification (e.g. AMP prediction).
#include <torch/torch.h>

#include "adapt/baseline/core_baselines.h"
#include "adapt/baseline/linear_model.h"
#include "alphabet.h"
#include "register.h"

namespace adapt::protein {

// [rows, 20 (+400)] float64 composition features of cleaned sequences.
torch::Tensor composition_features(const std::vector<std::string>& sequences, bool dipeptides) {
  const int64_t d = dipeptides ? 420 : 20;
  auto x = torch::zeros({static_cast<int64_t>(sequences.size()), d}, torch::kDouble);
  auto a = x.accessor<double, 2>();
  for (size_t r = 0; r < sequences.size(); ++r) {
    const auto& s = sequences[r];
    double singles = 0, pairs = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const int c = Alphabet::standard_index(s[i]);
      if (c < 0) continue;
      a[static_cast<int64_t>(r)][c] += 1;
      singles += 1;
      if (dipeptides && i + 1 < s.size()) {
        const int n = Alphabet::standard_index(s[i + 1]);
        if (n >= 0) {
          a[static_cast<int64_t>(r)][20 + c * 20 + n] += 1;
          pairs += 1;
        }
      }
    }
    for (int64_t j = 0; j < 20; ++j) a[static_cast<int64_t>(r)][j] /= std::max(singles, 1.0);
    for (int64_t j = 20; j < d; ++j) a[static_cast<int64_t>(r)][j] /= std::max(pairs, 1.0);
  }
  return x;
}

namespace {

class CompositionLogistic : public Baseline {
 public:
  explicit CompositionLogistic(const Options& o)
      : column_(o.string("column")), dipeptides_(o.boolean("dipeptides")), c_(o.number("C")) {}
  std::string description() const override {
    return std::string("logistic regression on amino-acid") + (dipeptides_ ? " + dipeptide" : "") + " composition";
  }
  void fit(const BaselineContext& ctx) override {
    if (ctx.blocks.target().block->dims().value("per_residue", false))
      throw Error("protein.composition_logistic: needs one label per sequence, not per residue; drop this baseline");
    LogisticRegressionOptions options;
    options.l2 = 1.0 / (c_ * static_cast<double>(ctx.split.train.size()));  // scikit-learn's C
    model_ = LogisticRegression(options);
    model_.fit(features(ctx, ctx.split.train), baseline_targets(ctx, ctx.split.train).to(torch::kLong).reshape({-1}),
               ctx.blocks.target().block->n_outputs());
  }
  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override {
    return model_.predict_log_proba(features(ctx, rows)).to(torch::kFloat);
  }

 private:
  torch::Tensor features(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
    std::vector<std::string> sequences;
    sequences.reserve(rows.size());
    for (auto r : rows)
      sequences.push_back(clean_sequence(ctx.records.at(r, column_), InvalidPolicy::x, "protein.composition_logistic",
                                         ctx.records.origin(r)));
    return composition_features(sequences, dipeptides_);
  }
  std::string column_;
  bool dipeptides_;
  double c_;
  LogisticRegression model_;
};

}  // namespace

void register_baselines(Registry& registry) {
  registry.add_baseline(
      "protein.composition_logistic", "logistic regression on amino-acid (20) and dipeptide (400) composition",
      {OptionSpec("column", OptionType::string, "sequence", "the sequence column"),
       OptionSpec("dipeptides", OptionType::boolean, true, "add the 400 dipeptide frequencies"),
       OptionSpec("C", OptionType::number, 1.0, "inverse L2 strength, as scikit-learn's C").greater_than(0)},
      [](const Options& o) { return std::make_shared<CompositionLogistic>(o); });
}

}  // namespace adapt::protein
