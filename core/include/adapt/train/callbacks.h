#pragma once
// The core's callbacks (order numbers in callback.h). The Learner adds the recorder always, the
// progress display and terminate-on-NaN unless LearnerOptions turns them off; the rest on request.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapt/train/callback.h"

namespace adapt {

// Per-batch lr/mom/loss and one row per epoch: {"epoch", "train_loss", "valid_loss", metrics...,
// "time", "train_time", "data_wait_pct"}: "time" is the whole epoch in seconds, "train_time" its
// training loop alone (without validation), "data_wait_pct" the share of "time" the loop waited for
// batches. Writes history.csv and history.json into `dir` after every epoch when `dir` is not empty.
class ADAPT_API Recorder : public Callback {
 public:
  explicit Recorder(std::filesystem::path dir = {}) : dir_(std::move(dir)) {}
  std::string name() const override { return "recorder"; }
  int order() const override { return callback_order::recorder; }
  void before_fit(Learner& learner) override;
  void after_batch(Learner& learner) override;
  void before_validate(Learner& learner) override;
  void after_epoch(Learner& learner) override;
  json state() const override { return {{"history", history_}}; }
  void load_state(const json& state) override;

  const json& history() const { return history_; }  // array of epoch rows
  // Values of one column over the epochs recorded ("valid_loss", "accuracy", ...).
  std::vector<double> column(const std::string& name) const;
  // Per batch of the current fit: lr of the last layer group, its momentum, the training loss.
  const std::vector<double>& lrs() const { return lrs_; }
  const std::vector<double>& moms() const { return moms_; }
  const std::vector<double>& losses() const { return losses_; }
  void set_dir(std::filesystem::path dir) { dir_ = std::move(dir); }
  void write_files() const;

 private:
  std::filesystem::path dir_;
  json history_ = json::array();
  std::vector<double> lrs_, moms_, losses_;
  std::optional<double> train_seconds_;  // the epoch's time when validation started; none: no validation
};

// A live bar with ETA on a terminal; plain lines otherwise. Always the per-epoch table.
class ADAPT_API ProgressCallback : public Callback {
 public:
  ProgressCallback();
  std::string name() const override { return "progress"; }
  int order() const override { return callback_order::progress; }
  void before_fit(Learner& learner) override;
  void before_epoch(Learner& learner) override;
  void after_batch(Learner& learner) override;
  void after_epoch(Learner& learner) override;
  void after_fit(Learner& learner, bool failed) override;

 private:
  bool live_ = false, header_printed_ = false;
  std::vector<std::string> columns_;
  std::chrono::steady_clock::time_point last_draw_, fit_started_;
  int64_t first_epoch_ = 0;  // a resumed fit starts later: its ETA counts only what it trains
};

// "0.042s", "0.42s", "12.3s", "03:25", "1:02:03": epoch times and ETAs, readable for fast epochs too.
ADAPT_API std::string format_duration(double seconds);
// Seconds left in a fit of epochs [first_epoch, n_epochs) that is at epoch `epoch`, batch `done` of
// `total`, `elapsed` seconds after it began (validation included, as it is part of every epoch).
ADAPT_API double fit_eta(double elapsed, int64_t first_epoch, int64_t epoch, int64_t n_epochs, int64_t done,
                         int64_t total);

// What early stopping and save-best watch in the epoch row the recorder keeps.
struct MonitorOptions {
  std::string monitor = "valid_loss";  // "valid_loss", "train_loss" or a metric name
  // "auto": lower is better for losses, else the metric's higher_is_better(); "min" or "max".
  std::string mode = "auto";
  double min_delta = 0.0;
};

// Shared by early stopping and save-best: tracks the best monitored value.
class ADAPT_API TrackerCallback : public Callback {
 public:
  explicit TrackerCallback(MonitorOptions options) : options_(std::move(options)) {}
  void before_fit(Learner& learner) override;
  json state() const override;
  void load_state(const json& state) override;
  double best() const { return best_; }
  int64_t best_epoch() const { return best_epoch_; }

 protected:
  // Reads the monitored value of the epoch that just ended; true when it improved on the best.
  bool update(Learner& learner);
  MonitorOptions options_;
  bool higher_is_better_ = false;
  double best_ = 0.0;
  int64_t best_epoch_ = -1;
};

class ADAPT_API EarlyStopping : public TrackerCallback {
 public:
  EarlyStopping(MonitorOptions options = {}, int64_t patience = 3)
      : TrackerCallback(std::move(options)), patience_(patience) {}
  std::string name() const override { return "early_stopping"; }
  int order() const override { return callback_order::early_stopping; }
  void before_fit(Learner& learner) override;
  void after_epoch(Learner& learner) override;
  json state() const override;
  void load_state(const json& state) override;

 private:
  int64_t patience_, wait_ = 0;
};

// Writes the model's weights to `file` (atomically) whenever the monitored value improves, and loads
// the best weights back after fit when `reload_at_end`.
class ADAPT_API SaveBest : public TrackerCallback {
 public:
  SaveBest(std::filesystem::path file, MonitorOptions options = {}, bool reload_at_end = true)
      : TrackerCallback(std::move(options)), file_(std::move(file)), reload_(reload_at_end) {}
  std::string name() const override { return "save_best"; }
  int order() const override { return callback_order::save_best; }
  void after_epoch(Learner& learner) override;
  void after_fit(Learner& learner, bool failed) override;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  bool reload_;
};

// Stops training at the first non-finite loss with a message naming the epoch and batch; the Learner
// then throws adapt::Error with that message from fit.
class ADAPT_API TerminateOnNaN : public Callback {
 public:
  std::string name() const override { return "terminate_on_nan"; }
  int order() const override { return callback_order::terminate_on_nan; }
  void after_loss(Learner& learner) override;
};

// Resumable checkpoints (Learner::save_checkpoint) to dir/checkpoint.pt every `every_epochs` epochs
// and/or every `every_minutes` minutes (checked at the end of each epoch); 0 turns a trigger off.
class ADAPT_API CheckpointCallback : public Callback {
 public:
  CheckpointCallback(std::filesystem::path dir, int64_t every_epochs = 1, double every_minutes = 0)
      : dir_(std::move(dir)), every_epochs_(every_epochs), every_minutes_(every_minutes) {}
  std::string name() const override { return "checkpoint"; }
  int order() const override { return callback_order::checkpoint; }
  void before_fit(Learner& learner) override;
  void after_epoch(Learner& learner) override;
  std::filesystem::path file() const { return dir_ / "checkpoint.pt"; }

 private:
  std::filesystem::path dir_;
  int64_t every_epochs_;
  double every_minutes_;
  std::chrono::steady_clock::time_point last_;
};

// A callback from lambdas, for tests and small hooks: LambdaCallback("rec", order).on_after_step(f).
class ADAPT_API LambdaCallback : public Callback {
 public:
  using Fn = std::function<void(Learner&)>;
  explicit LambdaCallback(std::string name, int order = callback_order::user_default)
      : name_(std::move(name)), order_(order) {}
  std::string name() const override { return name_; }
  int order() const override { return order_; }
  LambdaCallback& on_before_batch(Fn f) { before_batch_ = std::move(f); return *this; }
  LambdaCallback& on_after_step(Fn f) { after_step_ = std::move(f); return *this; }
  LambdaCallback& on_after_batch(Fn f) { after_batch_ = std::move(f); return *this; }
  LambdaCallback& on_after_epoch(Fn f) { after_epoch_ = std::move(f); return *this; }
  LambdaCallback& on_after_loss(Fn f) { after_loss_ = std::move(f); return *this; }
  void before_batch(Learner& l) override { if (before_batch_) before_batch_(l); }
  void after_step(Learner& l) override { if (after_step_) after_step_(l); }
  void after_batch(Learner& l) override { if (after_batch_) after_batch_(l); }
  void after_epoch(Learner& l) override { if (after_epoch_) after_epoch_(l); }
  void after_loss(Learner& l) override { if (after_loss_) after_loss_(l); }

 private:
  std::string name_;
  int order_;
  Fn before_batch_, after_step_, after_batch_, after_epoch_, after_loss_;
};

}  // namespace adapt
