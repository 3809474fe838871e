#pragma once
// Callbacks: hooks into the Learner's training loop. Every hook receives the Learner, which exposes
// the loop's state (epoch, batch, output, loss, ...) and its controls (stop, skip_step).
//
// Callbacks run in ascending order() (ties: the order they were added). The core's callbacks use the
// numbers in callback_order, so a user callback can place itself between them:
//
//   schedule        10  sets lr and momentum before each batch (one-cycle, flat, cosine)
//   terminate_nan   20  stops at the first non-finite loss, naming the epoch and batch
//   recorder        50  keeps per-batch lr/mom/loss and the per-epoch table; writes history.csv/json
//   progress        60  live bar (terminal) or plain lines; the per-epoch table
//   early_stopping  65  stops when the monitored value has not improved for `patience` epochs
//   save_best       70  writes the best model so far (atomically) and reloads it after fit
//   checkpoint      80  writes resumable checkpoints every N epochs or minutes (atomically)
//
// A training step calls, in order: before_batch, after_pred, after_loss, before_backward,
// after_backward, before_step, after_step (the last three only when the optimizer steps: with
// gradient accumulation, every grad_accum batches), after_batch. An epoch is before_epoch, the
// batches, before_validate, after_validate, after_epoch.
#include <nlohmann/json.hpp>

#include <string>

#include "adapt/common/error.h"

namespace adapt {

class Learner;
using json = nlohmann::json;

namespace callback_order {
constexpr int schedule = 10;
constexpr int terminate_on_nan = 20;
constexpr int recorder = 50;
constexpr int progress = 60;
constexpr int early_stopping = 65;
constexpr int save_best = 70;
constexpr int checkpoint = 80;
constexpr int user_default = 100;
}  // namespace callback_order

class ADAPT_API Callback {
 public:
  virtual ~Callback();
  virtual std::string name() const = 0;
  virtual int order() const { return callback_order::user_default; }

  virtual void before_fit(Learner&) {}
  virtual void before_epoch(Learner&) {}
  virtual void before_batch(Learner&) {}
  virtual void after_pred(Learner&) {}
  virtual void after_loss(Learner&) {}
  virtual void before_backward(Learner&) {}
  virtual void after_backward(Learner&) {}
  virtual void before_step(Learner&) {}
  virtual void after_step(Learner&) {}
  virtual void after_batch(Learner&) {}
  virtual void before_validate(Learner&) {}
  virtual void after_validate(Learner&) {}
  virtual void after_epoch(Learner&) {}
  // Runs even when training stopped early or threw (then `failed` is true).
  virtual void after_fit(Learner&, bool failed) { (void)failed; }

  // What a checkpoint must keep for a resumed run to continue exactly (counters, best values).
  virtual json state() const { return json::object(); }
  virtual void load_state(const json&) {}
};

}  // namespace adapt
