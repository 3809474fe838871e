#pragma once
// Learner: trains a Model on DataLoaders with a Loss, an optimizer (AdamW by default, no weight decay
// on biases and norm weights), learning-rate schedules (fastai's one-cycle), gradient clipping and
// accumulation, discriminative learning rates per layer group, freezing, and callbacks (callback.h).
//
//   Learner learner(model, blocks, {train, valid}, loss, metrics, LearnerOptions().wd(0.01));
//   learner.fit_one_cycle(5, 1e-3);
//   json m = learner.validate();               // {"loss": ..., "accuracy": ...}
//   auto preds = learner.predict(records);     // decoded by the target block
//
// The model is in train() mode while training and in eval() mode under NoGradGuard otherwise.
#include <chrono>
#include <functional>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "adapt/data/data_blocks.h"
#include "adapt/data/transform.h"
#include "adapt/metrics/metric.h"
#include "adapt/model/loss.h"
#include "adapt/model/model.h"
#include "adapt/train/callback.h"
#include "adapt/train/schedule.h"

namespace adapt {

class DataLoader;
class Optimizer;
class Recorder;

#define ADAPT_LEARNER_ARG(T, name)                  \
  LearnerOptions& name(T value) {                   \
    name##_ = std::move(value);                     \
    return *this;                                   \
  }                                                 \
  const T& name() const { return name##_; }         \
  T name##_

struct ADAPT_API LearnerOptions {
  using OstreamPtr = std::ostream*;
  ADAPT_LEARNER_ARG(std::string, optimizer) = "adamw";  // "adamw" or "sgd"
  ADAPT_LEARNER_ARG(double, wd) = 0.01;                  // decoupled; never on biases or norm weights
  ADAPT_LEARNER_ARG(double, mom) = 0.9;                  // SGD momentum / AdamW beta1 for flat schedules
  ADAPT_LEARNER_ARG(double, grad_clip) = 0.0;            // max global gradient norm; 0 = off
  ADAPT_LEARNER_ARG(int64_t, grad_accum) = 1;            // batches per optimizer step
  ADAPT_LEARNER_ARG(uint64_t, seed) = 42;
  ADAPT_LEARNER_ARG(std::filesystem::path, out_dir);    // history, checkpoints; empty = write nothing
  ADAPT_LEARNER_ARG(OstreamPtr, out) = nullptr;       // progress text; nullptr = std::cout
  ADAPT_LEARNER_ARG(bool, progress) = true;              // add the progress callback
  ADAPT_LEARNER_ARG(bool, terminate_on_nan) = true;      // add the terminate-on-NaN callback
};
#undef ADAPT_LEARNER_ARG

struct DataLoaders {
  std::shared_ptr<DataLoader> train, valid, test;  // valid and test may be null
};

// A learning rate for every layer group: one number, or [low, high] spread geometrically from the
// first group (low) to the last (high), like fastai's slice.
struct LearningRate {
  LearningRate(double lr) : low(lr), high(lr) {}  // NOLINT: implicit on purpose, fit(3, 1e-3)
  LearningRate(double low_, double high_) : low(low_), high(high_) {}
  static LearningRate from_json(const json& value, const std::string& path);
  std::vector<double> per_group(size_t n_groups) const;
  double low, high;
};

// Per-item results of a split, in loader order (sequential for valid/test).
struct Predictions {
  torch::Tensor outputs;  // model outputs (logits), [n, ...]
  torch::Tensor targets;  // as the target block encodes them
  torch::Tensor losses;   // per-item loss, [n]
  torch::Tensor rows;     // record row of each item, int64 [n]
};

struct LrFindResult {
  std::vector<double> lrs, losses;  // losses are the smoothed ones (EMA 0.98, debiased)
  double suggestion = 0.0;          // see schedule.h suggest_lr
};

class ADAPT_API Learner {
 public:
  Learner(std::shared_ptr<Model> model, std::shared_ptr<const DataBlocks> blocks, DataLoaders loaders,
          std::shared_ptr<Loss> loss, std::vector<std::shared_ptr<Metric>> metrics,
          LearnerOptions options = {}, std::vector<std::shared_ptr<const Transform>> transforms = {});
  ~Learner();
  Learner(const Learner&) = delete;
  Learner& operator=(const Learner&) = delete;

  // --- training --------------------------------------------------------------------------------
  // Constant learning rate.
  void fit(int64_t epochs, LearningRate lr);
  // fastai's one-cycle: cosine warm-up to lr_max over pct_start, then cosine annealing to
  // lr_max/div_final; momentum the other way round.
  void fit_one_cycle(int64_t epochs, LearningRate lr_max, OneCycleOptions options = {});
  // Cosine annealing from lr to 0 (SGDR without restarts).
  void fit_cosine(int64_t epochs, LearningRate lr);
  // Exponential lr sweep start -> end over `iterations` batches; stops when the smoothed loss
  // exceeds 4x its best. Restores the weights, optimizer and RNG state afterwards.
  LrFindResult lr_find(double start_lr = 1e-7, double end_lr = 10.0, int64_t iterations = 100);

  // Layer groups come from Model::layer_groups() (body -> head). freeze_to(n) trains groups n.. only;
  // negative n counts from the end (freeze_to(-1): only the last group).
  void freeze_to(int64_t n);
  // Trains exactly the groups marked true (one flag per layer group): freeze_to generalised, e.g. for
  // per-branch schedules of core.fusion.
  void set_trainable_groups(const std::vector<bool>& trainable);
  void freeze() { freeze_to(-1); }
  void unfreeze() { freeze_to(0); }
  size_t n_layer_groups() const { return layer_groups_.size(); }

  // --- evaluation --------------------------------------------------------------------------------
  // {"loss": mean per-item loss, "<metric>": value, ...}; throws when the split has no loader.
  json validate(Split split = Split::valid);
  Predictions get_preds(Split split = Split::valid);
  // Raw records (columns the input blocks read) -> decoded predictions, one per row.
  std::vector<json> predict(const Records& records);
  // Raw model outputs for records, batched like predict().
  torch::Tensor outputs(const Records& records);
  int64_t predict_batch_size() const;

  // --- checkpoints ---------------------------------------------------------------------------------
  // Model, optimizer, schedule position, RNG state, history and callback states.
  void save_checkpoint(const std::filesystem::path& file) const;
  // Restores a checkpoint; the next fit call with the same plan continues after its epoch.
  void load_checkpoint(const std::filesystem::path& file);
  // Only the model's parameters and buffers (save-best).
  void save_weights(const std::filesystem::path& file) const;
  void load_weights(const std::filesystem::path& file);

  // --- callbacks -----------------------------------------------------------------------------------
  void add_callback(std::shared_ptr<Callback> callback);
  void remove_callback(const std::string& name);
  std::shared_ptr<Callback> callback(const std::string& name) const;  // nullptr when absent
  Recorder& recorder() const { return *recorder_; }

  // --- loop state, for callbacks ------------------------------------------------------------------
  Model& model() const { return *model_; }
  std::shared_ptr<Model> model_ptr() const { return model_; }
  const DataBlocks& blocks() const { return *blocks_; }
  Optimizer& optimizer() const { return *optimizer_; }
  const Loss& loss_function() const { return *loss_; }
  const std::vector<std::shared_ptr<Metric>>& metrics() const { return metrics_; }
  const LearnerOptions& options() const { return options_; }
  std::ostream& out() const;
  DataLoader* loader(Split split) const;  // nullptr when absent

  int64_t epoch() const { return epoch_; }          // current epoch, 0-based
  int64_t n_epochs() const { return n_epochs_; }    // of the current fit
  int64_t iteration() const { return iteration_; }  // batch within the epoch
  int64_t n_iterations() const { return n_iterations_; }  // batches per training epoch
  int64_t train_step() const { return train_step_; }      // batches since the fit started
  int64_t total_steps() const { return n_epochs_ * n_iterations_; }
  double pct_train() const;                          // train_step / total_steps, for schedules
  bool training() const { return training_; }
  const Batch& batch() const { return batch_; }
  const torch::Tensor& output() const { return output_; }
  const torch::Tensor& loss() const { return loss_value_; }
  // This epoch's training loss so far (mean over items) and the last validation result.
  double epoch_train_loss() const;
  // Its parts, and a setter for them: the distributed callback replaces them with the sums over ranks.
  double epoch_train_loss_sum() const { return train_loss_sum_; }
  int64_t epoch_train_items() const { return train_items_; }
  void set_epoch_train_loss(double loss_sum, int64_t items) {
    train_loss_sum_ = loss_sum;
    train_items_ = items;
  }
  const json& last_validation() const { return last_validation_; }
  double epoch_seconds() const;
  double epoch_wait_seconds() const;  // time this epoch's loop waited for training batches

  // Current learning rate and momentum per layer group (from the optimizer).
  std::vector<double> lrs() const;
  std::vector<double> moms() const;
  void set_lrs(const std::vector<double>& lrs_per_layer_group);
  void set_moms(double mom);

  // Sets each layer group's lr (and the momentum) from the current fit's schedule for train_step();
  // called by the schedule callback (order 10) before each batch.
  void apply_schedule();
  // Epochs of the next fit already done (set by load_checkpoint; 0 for a fresh fit).
  int64_t start_epoch() const { return start_epoch_; }
  void set_start_epoch(int64_t epoch) { start_epoch_ = epoch; }
  // True during a fit that continues from load_checkpoint (trackers keep their best values).
  bool resuming() const { return resuming_; }
  // Extra json saved with checkpoints and returned after load_checkpoint (e.g. the recipe phase).
  json& checkpoint_extra() { return checkpoint_extra_; }

  // Controls: stop() ends the fit after the current batch (the epoch still validates and its
  // after_epoch hooks run). fail() does the same and makes fit throw adapt::Error(reason).
  void stop(const std::string& reason);
  void fail(const std::string& reason);
  bool stopped() const { return stop_; }
  const std::string& stop_reason() const { return stop_reason_; }
  void skip_step() { skip_step_ = true; }
  // Where a fit stopped by Ctrl-C (train/interrupt.h) writes its checkpoint before throwing
  // Interrupted; empty: it writes none. The interrupted epoch restarts on resume.
  void set_interrupt_checkpoint(const std::filesystem::path& file) { interrupt_checkpoint_ = file; }

 private:
  using ScheduleFactory = std::function<std::shared_ptr<Schedule>(double lr, int64_t total_steps)>;
  void fit_with(int64_t epochs, const LearningRate& lr, const ScheduleFactory& make_schedule);
  void one_epoch();
  void one_batch(Batch batch, bool last_in_epoch);
  [[noreturn]] void stop_on_interrupt();
  // The loss of a training-mode output: an ensemble's members (Model::members) each score their own
  // output, and their losses are averaged.
  torch::Tensor training_loss(const torch::Tensor& output, const torch::Tensor& target) const;
  void optimizer_step();
  std::vector<torch::Tensor> trainable_parameters() const;
  template <typename Hook>
  void run(Hook hook);

  std::shared_ptr<Model> model_;
  std::shared_ptr<const DataBlocks> blocks_;
  DataLoaders loaders_;
  std::shared_ptr<Loss> loss_;
  std::vector<std::shared_ptr<Metric>> metrics_;
  LearnerOptions options_;
  std::vector<std::shared_ptr<const Transform>> transforms_;
  std::vector<std::vector<torch::Tensor>> layer_groups_;
  std::shared_ptr<Optimizer> optimizer_;
  std::vector<std::shared_ptr<Callback>> callbacks_;
  std::shared_ptr<Recorder> recorder_;

  std::vector<std::shared_ptr<Schedule>> schedules_;  // one per layer group, for the current fit
  int64_t epoch_ = 0, n_epochs_ = 0, iteration_ = 0, n_iterations_ = 0, train_step_ = 0;
  int64_t start_epoch_ = 0;  // set by load_checkpoint
  bool training_ = false, stop_ = false, failed_ = false, skip_step_ = false, resuming_ = false;
  json checkpoint_extra_ = json::object();
  std::string stop_reason_;
  std::filesystem::path interrupt_checkpoint_;
  Batch batch_;
  torch::Tensor output_, loss_value_;
  double train_loss_sum_ = 0.0;
  int64_t train_items_ = 0;
  json last_validation_;
  std::chrono::steady_clock::time_point epoch_start_;
};

// Prediction batch size shared by Learner::predict and Predictor (same batches, same bits).
constexpr int64_t kPredictBatchSize = 256;

// What predict_outputs asks of the model: forward() (predictions) or embed() (one vector per sample).
enum class ModelOutput { forward, embedding };

// Model outputs for records through the prediction path shared by Learner::predict and Predictor:
// encode with Split::predict (no target), deterministic transforms (on_valid) only, eval mode, no grad,
// in batches of `batch_size`. The same inputs and batch size give bit-identical outputs.
ADAPT_API torch::Tensor predict_outputs(Model& model, const DataBlocks& blocks,
                                        const std::vector<std::shared_ptr<const Transform>>& transforms,
                                        const Records& records, int64_t batch_size = kPredictBatchSize,
                                        ModelOutput what = ModelOutput::forward);

// One record encoded as predict_outputs encodes it (Split::predict, no target, deterministic item
// transforms), before collation: what explanations take parts out of.
ADAPT_API Sample encode_for_predict(const DataBlocks& blocks,
                                    const std::vector<std::shared_ptr<const Transform>>& transforms,
                                    const Records& records, size_t row);
// Outputs of such items in one batch (collated, deterministic batch transforms, eval mode, no grad);
// `adjust`, when given, edits the batch before the forward pass (a "<key>.missing" mark, say).
ADAPT_API torch::Tensor predict_items(Model& model, const DataBlocks& blocks,
                                      const std::vector<std::shared_ptr<const Transform>>& transforms,
                                      const std::vector<Sample>& items,
                                      const std::function<void(Batch&)>& adjust = nullptr);

// A token-sequence input of many rows (a batch key KEY with KEY.lengths): ids [N, T] int64, padded
// after each row's length, and lengths [N].
struct TokenSequences {
  torch::Tensor ids, lengths;
};

// Outputs and pooled features (Model::embed; undefined when the model has none) in one pass over the
// records: the inputs are encoded once for both. `sequences` keeps the token ids of every
// token-sequence input by batch key, for the out-of-domain scorer's likelihood.
struct OutputsAndFeatures {
  torch::Tensor outputs, features;
  std::map<std::string, TokenSequences> sequences;
};
ADAPT_API OutputsAndFeatures predict_outputs_and_features(Model& model, const DataBlocks& blocks,
                                                          const std::vector<std::shared_ptr<const Transform>>& transforms,
                                                          const Records& records,
                                                          int64_t batch_size = kPredictBatchSize);

}  // namespace adapt
