#pragma once
// The core metrics (registered as core.<name>). All implement adapt::Metric (metric.h).
//
// Conventions shared by every metric here:
//  - Outputs may be logits or log-probabilities: argmax and softmax give the same answer for both.
//  - Classification targets are int64 class indices [B]; outputs [B,C]. Sequence outputs [B,T,C]
//    with targets [B,T] are flattened to tokens and positions equal to ignore_index (-100) are
//    dropped. A single-logit output ([B] or [B,1]) with 0/1 targets is a binary problem: the class
//    is output > 0 and the score is sigmoid(output).
//  - Multi-label targets (float, same shape as the output [B,L]) are supported by accuracy,
//    error_rate (per label, threshold logit 0 i.e. probability 0.5) and auroc (macro over labels).
//  - Accumulation is exact over the epoch (counts and sums, never an average of batch averages).
//  - Degenerate cases never give NaN: each class documents its value for an empty split; zero
//    divisions inside precision/recall/F1/MCC count as 0 (scikit-learn's zero_division=0).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapt/metrics/metric.h"

namespace adapt {

class Block;

// ---- classification on a confusion matrix ------------------------------------------------------

// Accumulates a confusion matrix (rows: actual class, columns: predicted class); it grows to the
// output width seen. Subclasses turn it into a value.
class ADAPT_API ConfusionMetric : public Metric {
 public:
  explicit ConfusionMetric(int64_t ignore_index = -100) : ignore_index_(ignore_index) {}
  void reset() override;
  void accumulate(const torch::Tensor& output, const torch::Tensor& target) override;
  // int64 [C,C]; empty ([0,0]) before any batch.
  torch::Tensor confusion_matrix() const { return matrix_; }
  int64_t total() const;

 protected:
  torch::Tensor matrix_;  // int64 [C,C]
  int64_t ignore_index_;
};

// Fraction of items (tokens, or labels for multi-label targets) predicted right. Empty split: 0.
class ADAPT_API Accuracy : public Metric {
 public:
  explicit Accuracy(int64_t ignore_index = -100) : ignore_index_(ignore_index) {}
  std::string name() const override { return "accuracy"; }
  void reset() override;
  void accumulate(const torch::Tensor& output, const torch::Tensor& target) override;
  double value() const override;

 protected:
  int64_t ignore_index_;
  int64_t correct_ = 0, count_ = 0;
};

// 1 - accuracy; lower is better. Empty split: 0 (nothing was wrong).
class ADAPT_API ErrorRate : public Accuracy {
 public:
  using Accuracy::Accuracy;
  std::string name() const override { return "error_rate"; }
  bool higher_is_better() const override { return false; }
  double value() const override;
};

// Mean recall over the classes present in the targets (scikit-learn's balanced_accuracy_score).
// Empty split: 0.
class ADAPT_API BalancedAccuracy : public ConfusionMetric {
 public:
  using ConfusionMetric::ConfusionMetric;
  std::string name() const override { return "balanced_accuracy"; }
  double value() const override;
};

// How precision/recall/F1 combine classes:
//  macro    unweighted mean over classes present in targets or predictions (scikit-learn)
//  weighted mean weighted by each class's support (number of true items)
//  micro    from the pooled counts (equals accuracy for single-label problems)
//  binary   the value for class pos_label only
enum class Average { macro, weighted, micro, binary };
ADAPT_API Average parse_average(const std::string& text);  // throws OptionError listing choices
ADAPT_API const char* to_string(Average average);

enum class PrfKind { precision, recall, f1 };

// Precision, recall or F1 from the confusion matrix. name() is "f1" for the default macro average
// and "f1_weighted", "f1_micro", "f1_binary" otherwise. Empty split: 0.
class ADAPT_API PrecisionRecallF1 : public ConfusionMetric {
 public:
  PrecisionRecallF1(PrfKind kind, Average average = Average::macro, int64_t pos_label = 1,
                    int64_t ignore_index = -100);
  std::string name() const override;
  double value() const override;
  // One value per class (index = class), 0 where the denominator is 0.
  std::vector<double> per_class() const;

 private:
  PrfKind kind_;
  Average average_;
  int64_t pos_label_;
};

// Matthews correlation coefficient, multi-class (Gorodkin's R_K, as scikit-learn):
// (c*s - sum_k p_k t_k) / sqrt((s^2 - sum_k p_k^2) (s^2 - sum_k t_k^2)), c = correct, s = total,
// p_k / t_k = predicted / true counts of class k. 0 when a factor of the denominator is 0 (e.g. one
// class only, or an empty split).
class ADAPT_API MatthewsCorrCoef : public ConfusionMetric {
 public:
  using ConfusionMetric::ConfusionMetric;
  std::string name() const override { return "mcc"; }
  double value() const override;
};

// Area under the ROC curve. Keeps every score of the epoch (memory O(items x classes)). Binary
// (2 classes, or one logit): AUROC of the positive class's score. More classes: one-vs-rest,
// unweighted mean over the classes that have both positives and negatives. Multi-label: the same
// mean over labels. Tied scores count one half (average ranks, Mann-Whitney). Defined as 0.5 when
// no class has both positives and negatives (one class present, empty split).
class ADAPT_API AUROC : public Metric {
 public:
  explicit AUROC(int64_t ignore_index = -100) : ignore_index_(ignore_index) {}
  std::string name() const override { return "auroc"; }
  void reset() override;
  void accumulate(const torch::Tensor& output, const torch::Tensor& target) override;
  double value() const override;

 private:
  int64_t ignore_index_;
  std::vector<torch::Tensor> scores_;   // float [B,C] probabilities, or [B] positive-class scores
  std::vector<torch::Tensor> targets_;  // int64 [B] classes, or float [B,L] multi-label
};

// Binary AUROC of `scores` (higher = more positive) against 0/1 `labels`, ties at half weight.
// 0.5 when either class is absent.
ADAPT_API double binary_auroc(const torch::Tensor& scores, const torch::Tensor& labels);

// ---- regression -----------------------------------------------------------------------------
// Outputs [B], [B,1] or [B,K]; targets with the same number of values per item. Sums are kept in
// double precision.

// Root mean squared error over all values. Empty split: 0.
class ADAPT_API RMSE : public Metric {
 public:
  std::string name() const override { return "rmse"; }
  bool higher_is_better() const override { return false; }
  void reset() override;
  void accumulate(const torch::Tensor& output, const torch::Tensor& target) override;
  double value() const override;
  void set_output_scale(const std::vector<double>& scale) override;

 protected:
  torch::Tensor scale_;  // double [K] when the target is standardised; undefined otherwise
  double sum_sq_ = 0, sum_abs_ = 0;
  int64_t count_ = 0;
};

// Mean absolute error. Empty split: 0.
class ADAPT_API MAE : public RMSE {
 public:
  std::string name() const override { return "mae"; }
  double value() const override;
};

// Coefficient of determination 1 - SS_res / SS_tot per output column, averaged uniformly over
// columns. A column with constant targets (SS_tot = 0) scores 1 if predicted exactly, else 0
// (scikit-learn's force_finite). Empty split: 0.
class ADAPT_API R2 : public Metric {
 public:
  std::string name() const override { return "r2"; }
  void reset() override;
  void accumulate(const torch::Tensor& output, const torch::Tensor& target) override;
  double value() const override;

 private:
  // Per column: count, sum y, sum y^2, sum (y - yhat)^2 (double, [K]).
  torch::Tensor n_, sum_y_, sum_y2_, sum_res_;
};

// ---- language models ------------------------------------------------------------------------

// exp(mean token cross-entropy) over non-ignored targets; output [B,T,V] with target [B,T] or
// [N,V] with [N]. Lower is better. Empty split (no tokens): 0.
class ADAPT_API Perplexity : public Metric {
 public:
  explicit Perplexity(int64_t ignore_index = -100) : ignore_index_(ignore_index) {}
  std::string name() const override { return "perplexity"; }
  bool higher_is_better() const override { return false; }
  void reset() override;
  void accumulate(const torch::Tensor& output, const torch::Tensor& target) override;
  double value() const override;

 private:
  int64_t ignore_index_;
  double sum_nll_ = 0;
  int64_t count_ = 0;
};

// ---- helpers ----------------------------------------------------------------------------------

// The default metrics for a target block: accuracy for "cross_entropy" and "bce_with_logits"
// targets, rmse for "mse"; empty otherwise.
ADAPT_API std::vector<std::shared_ptr<Metric>> default_metrics(const Block& target);

}  // namespace adapt
