#pragma once
// Learning-rate (and momentum) schedules by step, plus lr_find's schedule, loss smoothing and
// learning-rate suggestion, following fastai (callback/schedule.py).
#include <cstdint>
#include <optional>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

// fastai's annealers at position pos in [0, 1].
ADAPT_API double sched_lin(double start, double end, double pos);
ADAPT_API double sched_cos(double start, double end, double pos);  // start + (1 + cos(pi (1 - pos))) (end - start) / 2
ADAPT_API double sched_exp(double start, double end, double pos);  // start (end / start)^pos

class ADAPT_API Schedule {
 public:
  virtual ~Schedule();
  // Values for the batch about to run, step in [0, total_steps); as fastai, position = step /
  // total_steps, so the last step comes just before the final value.
  virtual double lr(int64_t step) const = 0;
  // Momentum to set, or none when the schedule leaves it alone.
  virtual std::optional<double> mom(int64_t /*step*/) const { return std::nullopt; }
  virtual int64_t total_steps() const = 0;
};

struct OneCycleOptions {
  double div = 25.0;         // start at lr_max / div
  double pct_start = 0.25;   // fraction of steps warming up
  double div_final = 1e5;    // end at lr_max / div_final
  double moms[3] = {0.95, 0.85, 0.95};
};

// fit_one_cycle: lr cosine from lr_max/div to lr_max over pct_start, then cosine to
// lr_max/div_final; momentum cosine moms[0] -> moms[1] -> moms[2] over the same phases.
class ADAPT_API OneCycleSchedule : public Schedule {
 public:
  OneCycleSchedule(double lr_max, int64_t total_steps, OneCycleOptions options = {});
  double lr(int64_t step) const override;
  std::optional<double> mom(int64_t step) const override;
  int64_t total_steps() const override { return total_steps_; }

 private:
  double lr_max_;
  int64_t total_steps_;
  OneCycleOptions options_;
};

// Constant learning rate; momentum untouched.
class ADAPT_API FlatSchedule : public Schedule {
 public:
  FlatSchedule(double lr, int64_t total_steps);
  double lr(int64_t) const override { return lr_; }
  int64_t total_steps() const override { return total_steps_; }

 private:
  double lr_;
  int64_t total_steps_;
};

// Flat at lr for pct_flat of the steps, then cosine down to lr / div_final (fastai's
// fit_flat_cos with pct_flat 0.75; plain cosine annealing with pct_flat 0). Momentum untouched.
class ADAPT_API CosineSchedule : public Schedule {
 public:
  CosineSchedule(double lr, int64_t total_steps, double pct_flat = 0.0, double div_final = 1e5);
  double lr(int64_t step) const override;
  int64_t total_steps() const override { return total_steps_; }

 private:
  double lr_;
  int64_t total_steps_;
  double pct_flat_, div_final_;
};

// lr_find: exponential from start_lr to end_lr, lr(i) = start (end/start)^(i / num_it).
class ADAPT_API ExponentialSchedule : public Schedule {
 public:
  ExponentialSchedule(double start_lr = 1e-7, double end_lr = 10.0, int64_t num_it = 100);
  double lr(int64_t step) const override;
  int64_t total_steps() const override { return num_it_; }

 private:
  double start_, end_;
  int64_t num_it_;
};

// fastai's AvgSmoothLoss: exponential moving average with debiasing,
// v = beta v + (1 - beta) loss; value = v / (1 - beta^count).
class ADAPT_API SmoothedLoss {
 public:
  explicit SmoothedLoss(double beta = 0.98) : beta_(beta) {}
  void reset() { avg_ = 0; count_ = 0; }
  double add(double loss);  // returns the new smoothed value
  double value() const;     // 0 before any loss
  int64_t count() const { return count_; }

 private:
  double beta_, avg_ = 0;
  int64_t count_ = 0;
};

// What lr_find records and when it stops: call add(lr, raw_loss) after each batch; stop when it
// returns true (smoothed loss above 4x the best, not finite, or num_it batches done).
class ADAPT_API LrFindRecorder {
 public:
  explicit LrFindRecorder(int64_t num_it = 100, double stop_factor = 4.0, double beta = 0.98);
  bool add(double lr, double raw_loss);
  const std::vector<double>& lrs() const { return lrs_; }
  const std::vector<double>& losses() const { return losses_; }  // smoothed

 private:
  int64_t num_it_;
  double stop_factor_;
  SmoothedLoss smooth_;
  double best_;
  std::vector<double> lrs_, losses_;
};

struct LrSuggestion {
  double valley = 0;   // fastai's default: from the longest descending stretch ("valley")
  double steep = 0;    // steepest descent of loss against log(lr)
  double minimum = 0;  // lr at the minimum loss, divided by 10
  double valley_loss = 0;
};

// Suggestions from lr_find's recorded lrs and smoothed losses. As fastai, the first num_it/10 and
// the last 5 points are left out before choosing (when fewer than 4 would remain, all are used),
// and so is everything from the first non-finite loss on. Throws adapt::Error when fewer than 2
// points are usable or the sizes differ.
ADAPT_API LrSuggestion suggest_lr(const std::vector<double>& lrs, const std::vector<double>& losses,
                                  int64_t num_it = 100);

// Discriminative learning rates: n_groups values spread geometrically from low to high, like
// fastai's slice(low, high) (even_mults); n_groups == 1 gives {high}.
ADAPT_API std::vector<double> spread_lrs(double low, double high, size_t n_groups);

}  // namespace adapt
