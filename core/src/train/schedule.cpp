#include "adapt/train/schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace adapt {
namespace {
constexpr double pi = 3.14159265358979323846;

void check_steps(const char* who, int64_t total_steps) {
  if (total_steps < 1) throw OptionError(fmt::format("{}: total_steps must be >= 1, got {}", who, total_steps));
}
void check_lr(const char* who, double lr) {
  if (!(lr > 0) || !std::isfinite(lr))
    throw OptionError(fmt::format("{}: learning rate must be a finite number > 0, got {}", who, lr));
}
double position(int64_t step, int64_t total) {
  return std::clamp(static_cast<double>(step) / static_cast<double>(total), 0.0, 1.0);
}
// fastai's combined_cos: cosine start -> middle over [0, pct), then middle -> end.
double combined_cos(double pct, double start, double middle, double end, double pos) {
  if (pct <= 0) return sched_cos(middle, end, pos);
  if (pct >= 1) return sched_cos(start, middle, pos);
  return pos < pct ? sched_cos(start, middle, pos / pct) : sched_cos(middle, end, (pos - pct) / (1 - pct));
}
}  // namespace

double sched_lin(double start, double end, double pos) { return start + pos * (end - start); }
double sched_cos(double start, double end, double pos) {
  return start + (1 + std::cos(pi * (1 - pos))) * (end - start) / 2;
}
double sched_exp(double start, double end, double pos) { return start * std::pow(end / start, pos); }

Schedule::~Schedule() = default;

OneCycleSchedule::OneCycleSchedule(double lr_max, int64_t total_steps, OneCycleOptions options)
    : lr_max_(lr_max), total_steps_(total_steps), options_(options) {
  check_lr("one_cycle", lr_max);
  check_steps("one_cycle", total_steps);
  if (!(options.div > 0) || !(options.div_final > 0))
    throw OptionError(fmt::format("one_cycle: div and div_final must be > 0, got {} and {}", options.div,
                                  options.div_final));
  if (!(options.pct_start >= 0 && options.pct_start <= 1))
    throw OptionError(fmt::format("one_cycle: pct_start must be in [0, 1], got {}", options.pct_start));
}

double OneCycleSchedule::lr(int64_t step) const {
  return combined_cos(options_.pct_start, lr_max_ / options_.div, lr_max_, lr_max_ / options_.div_final,
                      position(step, total_steps_));
}

std::optional<double> OneCycleSchedule::mom(int64_t step) const {
  return combined_cos(options_.pct_start, options_.moms[0], options_.moms[1], options_.moms[2],
                      position(step, total_steps_));
}

FlatSchedule::FlatSchedule(double lr, int64_t total_steps) : lr_(lr), total_steps_(total_steps) {
  check_lr("flat", lr);
  check_steps("flat", total_steps);
}

CosineSchedule::CosineSchedule(double lr, int64_t total_steps, double pct_flat, double div_final)
    : lr_(lr), total_steps_(total_steps), pct_flat_(pct_flat), div_final_(div_final) {
  check_lr("cosine", lr);
  check_steps("cosine", total_steps);
  if (!(pct_flat >= 0 && pct_flat < 1))
    throw OptionError(fmt::format("cosine: pct_flat must be in [0, 1), got {}", pct_flat));
  if (!(div_final > 0)) throw OptionError(fmt::format("cosine: div_final must be > 0, got {}", div_final));
}

double CosineSchedule::lr(int64_t step) const {
  const double pos = position(step, total_steps_);
  if (pos < pct_flat_) return lr_;
  return sched_cos(lr_, lr_ / div_final_, (pos - pct_flat_) / (1 - pct_flat_));
}

ExponentialSchedule::ExponentialSchedule(double start_lr, double end_lr, int64_t num_it)
    : start_(start_lr), end_(end_lr), num_it_(num_it) {
  check_lr("lr_find", start_lr);
  check_lr("lr_find", end_lr);
  check_steps("lr_find", num_it);
  if (!(end_lr > start_lr))
    throw OptionError(fmt::format("lr_find: end_lr ({}) must be greater than start_lr ({})", end_lr, start_lr));
}

double ExponentialSchedule::lr(int64_t step) const { return sched_exp(start_, end_, position(step, num_it_)); }

double SmoothedLoss::add(double loss) {
  avg_ = beta_ * avg_ + (1 - beta_) * loss;  // torch.lerp(loss, avg, beta)
  ++count_;
  return value();
}

double SmoothedLoss::value() const {
  return count_ == 0 ? 0.0 : avg_ / (1 - std::pow(beta_, static_cast<double>(count_)));
}

LrFindRecorder::LrFindRecorder(int64_t num_it, double stop_factor, double beta)
    : num_it_(num_it), stop_factor_(stop_factor), smooth_(beta), best_(std::numeric_limits<double>::infinity()) {
  check_steps("lr_find", num_it);
}

bool LrFindRecorder::add(double lr, double raw_loss) {
  const double smoothed = smooth_.add(raw_loss);
  lrs_.push_back(lr);
  losses_.push_back(smoothed);
  if (!std::isfinite(smoothed) || smoothed > stop_factor_ * best_) return true;
  best_ = std::min(best_, smoothed);
  return static_cast<int64_t>(lrs_.size()) >= num_it_;
}

LrSuggestion suggest_lr(const std::vector<double>& lrs_in, const std::vector<double>& losses_in, int64_t num_it) {
  if (lrs_in.size() != losses_in.size())
    throw Error(fmt::format("suggest_lr: {} learning rates but {} losses", lrs_in.size(), losses_in.size()));
  // Trim like fastai: recorder.lrs[num_it//10:-5].
  size_t begin = static_cast<size_t>(std::max<int64_t>(num_it, 0) / 10), end = lrs_in.size() >= 5 ? lrs_in.size() - 5 : 0;
  if (end < begin + 4) {
    begin = 0;
    end = lrs_in.size();
  }
  std::vector<double> lrs, losses;
  for (size_t i = begin; i < end; ++i) {
    if (!std::isfinite(losses_in[i])) break;
    lrs.push_back(lrs_in[i]);
    losses.push_back(losses_in[i]);
  }
  const size_t n = losses.size();
  if (n < 2)
    throw Error(fmt::format("suggest_lr: only {} usable points (of {} recorded); lr_find needs more batches, e.g. a "
                            "smaller batch size or more data",
                            n, lrs_in.size()));
  LrSuggestion out;
  // minimum / 10
  const size_t min_i = static_cast<size_t>(std::min_element(losses.begin(), losses.end()) - losses.begin());
  out.minimum = lrs[min_i] / 10;
  // steepest: most negative d loss / d log(lr)
  size_t steep_i = 0;
  double best_grad = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i + 1 < n; ++i) {
    const double dlog = std::log(lrs[i + 1]) - std::log(lrs[i]);
    const double grad = (losses[i + 1] - losses[i]) / dlog;
    if (grad < best_grad) {
      best_grad = grad;
      steep_i = i;
    }
  }
  out.steep = lrs[steep_i];
  // valley: the longest decreasing subsequence, then a point 1/2 of the way down its middle third.
  // (int64 as fastai's Python: max_start is -1 when the valley starts at the first point.)
  std::vector<int64_t> lds(n, 1);
  int64_t max_start = 0, max_end = 0;
  for (size_t i = 1; i < n; ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
      if (lds[static_cast<size_t>(max_end)] < lds[i]) {
        max_end = static_cast<int64_t>(i);
        max_start = max_end - lds[i];
      }
    }
  }
  const double sections = static_cast<double>(max_end - max_start) / 3.0;
  const int64_t raw = max_start + static_cast<int64_t>(sections) + static_cast<int64_t>(sections / 2);
  const size_t idx = static_cast<size_t>(std::clamp<int64_t>(raw, 0, static_cast<int64_t>(n) - 1));
  out.valley = lrs[idx];
  out.valley_loss = losses[idx];
  return out;
}

std::vector<double> spread_lrs(double low, double high, size_t n_groups) {
  if (n_groups == 0) return {};
  if (n_groups == 1) return {high};
  if (!(low > 0) || !(high > 0))
    throw OptionError(fmt::format("lr: a [low, high] range needs both > 0, got [{}, {}]", low, high));
  std::vector<double> out(n_groups);
  const double step = std::pow(high / low, 1.0 / static_cast<double>(n_groups - 1));
  for (size_t i = 0; i < n_groups; ++i) out[i] = low * std::pow(step, static_cast<double>(i));
  out.back() = high;
  return out;
}

}  // namespace adapt
