// The Learner's training loop (fit, one batch, validation). Checkpoints live in
// learner_checkpoint.cpp, lr_find in learner_lr_find.cpp, prediction in learner_predict.cpp.
#include "adapt/train/learner.h"

#include <torch/nn/utils/clip_grad.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "adapt/data/data_loader.h"
#include "adapt/train/callbacks.h"
#include "adapt/train/interrupt.h"
#include "adapt/train/optimizer.h"
#include "train/eval_mode.h"

namespace adapt {
namespace {

// Per-token outputs and targets ([B, T, ...]) differ in T from batch to batch when the loader pads
// each batch to its longest sequence: pad dim 1 to the longest before concatenating. Targets are
// padded with the ignore index (-100) that losses and metrics skip.
constexpr int64_t kIgnoreIndex = -100;

torch::Tensor cat_padded(const std::vector<torch::Tensor>& parts, int64_t pad_value) {
  int64_t longest = 0;
  bool ragged = false;
  for (const auto& t : parts) {
    if (t.dim() < 2) return torch::cat(parts);
    ragged = ragged || (longest != 0 && t.size(1) != longest);
    longest = std::max(longest, t.size(1));
  }
  if (!ragged) return torch::cat(parts);
  std::vector<torch::Tensor> padded;
  padded.reserve(parts.size());
  for (const auto& t : parts) {
    if (t.size(1) == longest) {
      padded.push_back(t);
      continue;
    }
    std::vector<int64_t> shape = t.sizes().vec();
    shape[1] = longest;
    torch::Tensor out = torch::full(shape, pad_value, t.options());
    out.narrow(1, 0, t.size(1)).copy_(t);
    padded.push_back(out);
  }
  return torch::cat(padded);
}

// Sets lr and momentum from the fit's schedule before each batch.
class ScheduleCallback : public Callback {
 public:
  std::string name() const override { return "schedule"; }
  int order() const override { return callback_order::schedule; }
  void before_batch(Learner& learner) override { learner.apply_schedule(); }
};

int64_t batch_items(const Batch& batch) {
  auto it = batch.find("row");
  if (it != batch.end()) return it->second.size(0);
  it = batch.find("y");
  if (it != batch.end()) return it->second.size(0);
  return batch.empty() ? 0 : batch.begin()->second.size(0);
}

}  // namespace

LearningRate LearningRate::from_json(const json& value, const std::string& path) {
  auto positive = [&](const json& v) {
    if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
      throw OptionError(path + ": a learning rate must be a positive number, got " + v.dump());
    return v.get<double>();
  };
  if (value.is_number()) return LearningRate(positive(value));
  if (value.is_array() && value.size() == 2) {
    double low = positive(value[0]), high = positive(value[1]);
    if (low > high) throw OptionError(path + ": [low, high] needs low <= high, got " + value.dump());
    return LearningRate(low, high);
  }
  throw OptionError(path + ": must be a number or [low, high], got " + value.dump());
}

std::vector<double> LearningRate::per_group(size_t n_groups) const {
  if (low == high) return std::vector<double>(n_groups, high);
  return spread_lrs(low, high, n_groups);
}

Learner::Learner(std::shared_ptr<Model> model, std::shared_ptr<const DataBlocks> blocks, DataLoaders loaders,
                 std::shared_ptr<Loss> loss, std::vector<std::shared_ptr<Metric>> metrics, LearnerOptions options,
                 std::vector<std::shared_ptr<const Transform>> transforms)
    : model_(std::move(model)),
      blocks_(std::move(blocks)),
      loaders_(std::move(loaders)),
      loss_(std::move(loss)),
      metrics_(std::move(metrics)),
      options_(std::move(options)),
      transforms_(std::move(transforms)) {
  if (!model_) throw Error("Learner: no model given");
  if (!blocks_) throw Error("Learner: no DataBlocks given; the learner needs them to encode and decode");
  if (!loss_) throw Error("Learner: no loss given; use make_loss(target block's loss()) for the default");
  if (options_.grad_accum() < 1)
    throw OptionError("train.grad_accum: must be >= 1, got " + std::to_string(options_.grad_accum()));
  if (options_.grad_clip() < 0 || !std::isfinite(options_.grad_clip()))
    throw OptionError("train.grad_clip: must be >= 0 (0 turns clipping off), got " + std::to_string(options_.grad_clip()));
  if (options_.wd() < 0) throw OptionError("train.wd: must be >= 0, got " + std::to_string(options_.wd()));

  layer_groups_ = model_->layer_groups();
  layer_groups_.erase(std::remove_if(layer_groups_.begin(), layer_groups_.end(),
                                     [](const auto& group) { return group.empty(); }),
                      layer_groups_.end());
  if (layer_groups_.empty()) throw Error("Learner: the model has no parameters to train");

  HyperParams hp = default_hyper_params(options_.optimizer());
  hp.wd = options_.wd();
  hp.mom = options_.mom();
  optimizer_ = make_optimizer(options_.optimizer(), split_no_decay(layer_groups_, hp));

  recorder_ = std::make_shared<Recorder>(options_.out_dir());
  add_callback(std::make_shared<ScheduleCallback>());
  add_callback(recorder_);
  if (options_.progress()) add_callback(std::make_shared<ProgressCallback>());
  if (options_.terminate_on_nan()) add_callback(std::make_shared<TerminateOnNaN>());
}

Learner::~Learner() = default;

std::ostream& Learner::out() const { return options_.out() ? *options_.out() : std::cout; }

DataLoader* Learner::loader(Split split) const {
  switch (split) {
    case Split::train: return loaders_.train.get();
    case Split::valid: return loaders_.valid.get();
    case Split::test: return loaders_.test.get();
    default: return nullptr;
  }
}

void Learner::add_callback(std::shared_ptr<Callback> callback) {
  if (!callback) throw Error("Learner::add_callback: null callback");
  remove_callback(callback->name());
  // Stable by order: a callback goes after those with the same order that were added before it.
  auto it = std::upper_bound(callbacks_.begin(), callbacks_.end(), callback,
                             [](const auto& a, const auto& b) { return a->order() < b->order(); });
  callbacks_.insert(it, std::move(callback));
}

void Learner::remove_callback(const std::string& name) {
  callbacks_.erase(std::remove_if(callbacks_.begin(), callbacks_.end(),
                                  [&](const auto& cb) { return cb->name() == name; }),
                   callbacks_.end());
}

std::shared_ptr<Callback> Learner::callback(const std::string& name) const {
  for (const auto& cb : callbacks_)
    if (cb->name() == name) return cb;
  return nullptr;
}

template <typename Hook>
void Learner::run(Hook hook) {
  // By index: a callback may add or remove callbacks (no per-hook copy on the hot path).
  for (size_t i = 0; i < callbacks_.size(); ++i) {
    Callback* cb = callbacks_[i].get();
    hook(*cb);
  }
}

double Learner::pct_train() const {
  int64_t total = total_steps();
  return total > 0 ? static_cast<double>(train_step_) / static_cast<double>(total) : 0.0;
}

double Learner::epoch_train_loss() const {
  return train_items_ > 0 ? train_loss_sum_ / static_cast<double>(train_items_) : 0.0;
}

double Learner::epoch_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start_).count();
}

double Learner::epoch_wait_seconds() const { return loaders_.train ? loaders_.train->wait_seconds() : 0.0; }

std::vector<double> Learner::lrs() const {
  std::vector<double> out(layer_groups_.size(), 0.0);
  for (size_t g = 0; g < optimizer_->n_groups(); ++g) {
    const auto& group = optimizer_->group(g);
    out.at(static_cast<size_t>(group.layer_group)) = group.hp.lr;
  }
  return out;
}

std::vector<double> Learner::moms() const {
  std::vector<double> out(layer_groups_.size(), 0.0);
  for (size_t g = 0; g < optimizer_->n_groups(); ++g) {
    const auto& group = optimizer_->group(g);
    out.at(static_cast<size_t>(group.layer_group)) = group.hp.mom;
  }
  return out;
}

void Learner::set_lrs(const std::vector<double>& lrs) {
  if (lrs.size() != layer_groups_.size())
    throw Error("Learner::set_lrs: got " + std::to_string(lrs.size()) + " learning rates for " +
                std::to_string(layer_groups_.size()) + " layer groups");
  optimizer_->set_layer_group_lrs(lrs);
}

void Learner::set_moms(double mom) { optimizer_->set_mom(mom); }

void Learner::apply_schedule() {
  if (schedules_.empty()) return;
  int64_t step = std::min<int64_t>(train_step_, schedules_.front()->total_steps() - 1);
  std::vector<double> lrs;
  lrs.reserve(schedules_.size());
  for (const auto& s : schedules_) lrs.push_back(s->lr(step));
  optimizer_->set_layer_group_lrs(lrs);
  if (auto mom = schedules_.back()->mom(step)) optimizer_->set_mom(*mom);
}

void Learner::stop(const std::string& reason) {
  stop_ = true;
  if (stop_reason_.empty()) stop_reason_ = reason;
}

void Learner::fail(const std::string& reason) {
  stop_ = true;
  failed_ = true;
  stop_reason_ = reason;
}

void Learner::freeze_to(int64_t n) {
  auto groups = static_cast<int64_t>(layer_groups_.size());
  int64_t first = n < 0 ? groups + n : n;
  if (first < 0 || first >= groups)
    throw OptionError("freeze_to: " + std::to_string(n) + " is out of range for a model with " +
                      std::to_string(groups) + " layer groups (use 0.." + std::to_string(groups - 1) +
                      " or -1..-" + std::to_string(groups) + ")");
  std::vector<bool> trainable(static_cast<size_t>(groups));
  for (int64_t g = 0; g < groups; ++g) trainable[static_cast<size_t>(g)] = g >= first;
  set_trainable_groups(trainable);
}

void Learner::set_trainable_groups(const std::vector<bool>& trainable) {
  if (trainable.size() != layer_groups_.size())
    throw Error("set_trainable_groups: " + std::to_string(trainable.size()) + " flags for " +
                std::to_string(layer_groups_.size()) + " layer groups");
  for (size_t g = 0; g < layer_groups_.size(); ++g)
    for (auto& p : layer_groups_[g]) {
      p.set_requires_grad(trainable[g]);
      if (!trainable[g]) p.mutable_grad() = torch::Tensor();
    }
}

std::vector<torch::Tensor> Learner::trainable_parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& group : layer_groups_)
    for (const auto& p : group)
      if (p.requires_grad()) out.push_back(p);
  return out;
}

void Learner::fit(int64_t epochs, LearningRate lr) {
  fit_with(epochs, lr, [](double group_lr, int64_t total) { return std::make_shared<FlatSchedule>(group_lr, total); });
}

void Learner::fit_one_cycle(int64_t epochs, LearningRate lr_max, OneCycleOptions options) {
  fit_with(epochs, lr_max, [options](double group_lr, int64_t total) {
    return std::make_shared<OneCycleSchedule>(group_lr, total, options);
  });
}

void Learner::fit_cosine(int64_t epochs, LearningRate lr) {
  fit_with(epochs, lr, [](double group_lr, int64_t total) { return std::make_shared<CosineSchedule>(group_lr, total); });
}

void Learner::fit_with(int64_t epochs, const LearningRate& lr, const ScheduleFactory& make_schedule) {
  if (epochs < 1) throw OptionError("epochs: must be >= 1, got " + std::to_string(epochs));
  if (!loaders_.train) throw Error("Learner::fit: no training loader");
  n_iterations_ = static_cast<int64_t>(loaders_.train->num_batches());
  if (n_iterations_ < 1)
    throw DataError("Learner::fit: the training loader yields no batches (" + std::to_string(loaders_.train->size()) +
                    " rows); use more data or a smaller batch_size, or set drop_last false");
  n_epochs_ = epochs;
  int64_t total = epochs * n_iterations_;
  schedules_.clear();
  std::vector<double> group_lrs = lr.per_group(layer_groups_.size());
  const std::vector<double> factors = model_->lr_multipliers();
  if (!factors.empty() && factors.size() != group_lrs.size())
    throw Error("Learner: the model gives " + std::to_string(factors.size()) + " learning-rate multipliers for " +
                std::to_string(group_lrs.size()) + " layer groups");
  for (size_t g = 0; g < factors.size(); ++g) group_lrs[g] *= factors[g];
  for (double group_lr : group_lrs) schedules_.push_back(make_schedule(group_lr, total));

  resuming_ = start_epoch_ > 0;
  if (start_epoch_ >= epochs)
    throw Error("Learner::fit: the checkpoint already finished " + std::to_string(start_epoch_) +
                " epochs of a " + std::to_string(epochs) + "-epoch fit; nothing to resume");
  stop_ = failed_ = false;
  stop_reason_.clear();
  train_step_ = start_epoch_ * n_iterations_;
  InterruptibleSection interruptible;
  try {
    loaders_.train->prepare_epoch(start_epoch_);  // batches are produced while the callbacks set up
    run([&](Callback& cb) { cb.before_fit(*this); });
    for (epoch_ = start_epoch_; epoch_ < epochs && !stop_; ++epoch_) one_epoch();
  } catch (...) {
    start_epoch_ = 0;
    resuming_ = false;
    model_->train(false);
    try {
      run([&](Callback& cb) { cb.after_fit(*this, true); });
    } catch (...) {
    }
    throw;
  }
  start_epoch_ = 0;
  resuming_ = false;
  run([&](Callback& cb) { cb.after_fit(*this, failed_); });
  model_->train(false);
  schedules_.clear();
  if (failed_) throw Error(stop_reason_);
}

void Learner::one_epoch() {
  epoch_start_ = std::chrono::steady_clock::now();
  train_loss_sum_ = 0.0;
  train_items_ = 0;
  last_validation_ = json();
  model_->train(true);
  training_ = true;
  auto& train = *loaders_.train;
  train.set_epoch(epoch_);
  run([&](Callback& cb) { cb.before_epoch(*this); });
  optimizer_->zero_grad();
  train.start_epoch();
  iteration_ = 0;
  while (auto batch = train.next()) {
    bool last = iteration_ + 1 >= n_iterations_;
    one_batch(std::move(*batch), last);
    ++iteration_;
    ++train_step_;
    if (interrupt_requested()) stop_on_interrupt();
    if (stop_) break;
  }
  training_ = false;
  // Leftover accumulated gradients of a stopped epoch must not leak into the next fit.
  optimizer_->zero_grad();
  if (failed_) return;
  // The workers produce the next epoch's first batches while this one validates.
  if (!stop_ && epoch_ + 1 < n_epochs_) train.prepare_epoch(epoch_ + 1);
  if (loaders_.valid) {
    run([&](Callback& cb) { cb.before_validate(*this); });
    last_validation_ = validate(Split::valid);
    run([&](Callback& cb) { cb.after_validate(*this); });
  }
  run([&](Callback& cb) { cb.after_epoch(*this); });
}

// Mid-epoch weights with the epoch marked unfinished: a resumed run starts this epoch again from them.
void Learner::stop_on_interrupt() {
  clear_interrupt();
  std::string where = "interrupted in epoch " + std::to_string(epoch_ + 1) + " of " + std::to_string(n_epochs_) +
                      " after batch " + std::to_string(iteration_) + " of " + std::to_string(n_iterations_);
  if (interrupt_checkpoint_.empty()) throw Interrupted(where + "; no checkpoint written (no run directory)");
  save_checkpoint(interrupt_checkpoint_);
  throw Interrupted(where + "; checkpoint written to " + interrupt_checkpoint_.string() +
                    " (the interrupted epoch starts again when resumed)");
}

void Learner::one_batch(Batch batch, bool last_in_epoch) {
  batch_ = std::move(batch);
  skip_step_ = false;
  run([&](Callback& cb) { cb.before_batch(*this); });
  output_ = model_->forward(batch_);
  run([&](Callback& cb) { cb.after_pred(*this); });
  loss_value_ = training_loss(output_, get(batch_, blocks_->target().key));
  run([&](Callback& cb) { cb.after_loss(*this); });
  if (failed_) return;
  int64_t items = batch_items(batch_);
  train_loss_sum_ += loss_value_.item<double>() * static_cast<double>(items);
  train_items_ += items;

  run([&](Callback& cb) { cb.before_backward(*this); });
  int64_t accum = options_.grad_accum();
  (accum > 1 ? loss_value_ / static_cast<double>(accum) : loss_value_).backward();
  run([&](Callback& cb) { cb.after_backward(*this); });
  if ((iteration_ + 1) % accum == 0 || last_in_epoch) optimizer_step();
  run([&](Callback& cb) { cb.after_batch(*this); });
}

torch::Tensor Learner::training_loss(const torch::Tensor& output, const torch::Tensor& target) const {
  const int64_t k = model_->members();
  if (k == 1) return (*loss_)(output, target);
  if (output.dim() == 0 || output.size(0) != k)
    throw Error("Learner: the model has " + std::to_string(k) + " members but its training output's first dimension is " +
                (output.dim() == 0 ? std::string("missing") : std::to_string(output.size(0))));
  torch::Tensor sum = (*loss_)(output[0], target);
  for (int64_t m = 1; m < k; ++m) sum = sum + (*loss_)(output[m], target);
  return sum / static_cast<double>(k);
}

void Learner::optimizer_step() {
  if (options_.grad_clip() > 0) torch::nn::utils::clip_grad_norm_(trainable_parameters(), options_.grad_clip());
  run([&](Callback& cb) { cb.before_step(*this); });
  if (!skip_step_) optimizer_->step();
  run([&](Callback& cb) { cb.after_step(*this); });
  optimizer_->zero_grad();
}

json Learner::validate(Split split) {
  DataLoader* dl = loader(split);
  if (!dl) throw Error(std::string("Learner::validate: there is no ") + to_string(split) + " loader");
  EvalMode eval(*model_);
  torch::NoGradGuard no_grad;
  for (auto& m : metrics_) m->reset();
  double loss_sum = 0.0;
  int64_t items = 0;
  dl->start_epoch();
  while (auto batch = dl->next()) {
    const auto& b = *batch;
    auto out = model_->forward(b);
    const auto& y = get(b, blocks_->target().key);
    int64_t n = batch_items(b);
    loss_sum += (*loss_)(out, y).item<double>() * static_cast<double>(n);
    items += n;
    for (auto& m : metrics_) m->accumulate(out, y);
  }
  if (items == 0)
    throw DataError(std::string("Learner::validate: the ") + to_string(split) +
                    " split is empty, so there is nothing to score; give the splitter a larger valid_pct");
  json result = json::object();
  result["loss"] = loss_sum / static_cast<double>(items);
  for (auto& m : metrics_) result[m->name()] = m->value();
  return result;
}

Predictions Learner::get_preds(Split split) {
  DataLoader* dl = loader(split);
  if (!dl) throw Error(std::string("Learner::get_preds: there is no ") + to_string(split) + " loader");
  EvalMode eval(*model_);
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> outputs, targets, losses, rows;
  dl->start_epoch();
  while (auto batch = dl->next()) {
    const auto& b = *batch;
    auto out = model_->forward(b);
    const auto& y = get(b, blocks_->target().key);
    outputs.push_back(out);
    targets.push_back(y);
    losses.push_back(loss_->per_item(out, y));
    rows.push_back(get(b, "row"));
  }
  if (outputs.empty()) throw DataError(std::string("Learner::get_preds: the ") + to_string(split) + " split is empty");
  return {cat_padded(outputs, 0), cat_padded(targets, kIgnoreIndex), torch::cat(losses), torch::cat(rows)};
}

}  // namespace adapt
