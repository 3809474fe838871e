// Trackers: early stopping and save-best watch one column of the recorder's epoch row.
#include <cmath>
#include <limits>

#include "adapt/train/callbacks.h"
#include "adapt/train/learner.h"

namespace adapt {

void TrackerCallback::before_fit(Learner& learner) {
  const auto& mode = options_.mode;
  if (mode == "min") {
    higher_is_better_ = false;
  } else if (mode == "max") {
    higher_is_better_ = true;
  } else if (mode == "auto") {
    higher_is_better_ = false;
    if (options_.monitor.find("loss") == std::string::npos) {
      bool found = false;
      for (const auto& m : learner.metrics())
        if (m->name() == options_.monitor) {
          higher_is_better_ = m->higher_is_better();
          found = true;
        }
      if (!found) {
        std::string known = "valid_loss, train_loss";
        for (const auto& m : learner.metrics()) known += ", " + m->name();
        throw OptionError(name() + ".monitor: \"" + options_.monitor + "\" is not recorded; use one of " + known);
      }
    }
  } else {
    throw OptionError(name() + ".mode: must be \"auto\", \"min\" or \"max\", got \"" + mode + "\"");
  }
  if (options_.monitor.rfind("valid", 0) == 0 || options_.monitor.find("loss") == std::string::npos)
    if (!learner.loader(Split::valid))
      throw OptionError(name() + ".monitor: \"" + options_.monitor + "\" needs a validation split");
  if (!learner.resuming()) {
    best_ = higher_is_better_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    best_epoch_ = -1;
  }
}

bool TrackerCallback::update(Learner& learner) {
  const json& history = learner.recorder().history();
  if (history.empty()) return false;
  const json& row = history.back();
  if (!row.contains(options_.monitor) || !row[options_.monitor].is_number()) return false;
  double value = row[options_.monitor].get<double>();
  if (!std::isfinite(value)) return false;
  bool improved = higher_is_better_ ? value > best_ + options_.min_delta : value < best_ - options_.min_delta;
  if (improved) {
    best_ = value;
    best_epoch_ = row.value("epoch", int64_t{-1});
  }
  return improved;
}

json TrackerCallback::state() const { return {{"best", best_}, {"best_epoch", best_epoch_}}; }

void TrackerCallback::load_state(const json& state) {
  // json stores +-inf as null.
  if (state.contains("best") && state["best"].is_number()) best_ = state["best"].get<double>();
  best_epoch_ = state.value("best_epoch", int64_t{-1});
}

void EarlyStopping::before_fit(Learner& learner) {
  if (patience_ < 1) throw OptionError("early_stopping.patience: must be >= 1, got " + std::to_string(patience_));
  TrackerCallback::before_fit(learner);
  if (!learner.resuming()) wait_ = 0;
}

void EarlyStopping::after_epoch(Learner& learner) {
  if (update(learner)) {
    wait_ = 0;
    return;
  }
  if (++wait_ >= patience_) {
    char best[64];
    std::snprintf(best, sizeof best, "%.6g", best_);
    learner.stop("early stopping: " + options_.monitor + " did not improve for " + std::to_string(wait_) +
                 " epochs (best " + best + " at epoch " + std::to_string(best_epoch_) + ")");
  }
}

json EarlyStopping::state() const {
  json s = TrackerCallback::state();
  s["wait"] = wait_;
  return s;
}

void EarlyStopping::load_state(const json& state) {
  TrackerCallback::load_state(state);
  wait_ = state.value("wait", int64_t{0});
}

void SaveBest::after_epoch(Learner& learner) {
  if (update(learner)) learner.save_weights(file_);
}

void SaveBest::after_fit(Learner& learner, bool failed) {
  if (reload_ && !failed && best_epoch_ >= 0 && std::filesystem::exists(file_)) learner.load_weights(file_);
}

}  // namespace adapt
