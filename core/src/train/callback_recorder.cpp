// Recorder: the per-batch and per-epoch record of a fit, written as history.csv / history.json.
#include <cmath>
#include <sstream>

#include "adapt/common/atomic_file.h"
#include "adapt/data/csv_writer.h"
#include "adapt/train/callbacks.h"
#include "adapt/train/learner.h"

namespace adapt {

void Recorder::before_fit(Learner&) {
  lrs_.clear();
  moms_.clear();
  losses_.clear();
}

void Recorder::before_validate(Learner& learner) { train_seconds_ = learner.epoch_seconds(); }

void Recorder::after_batch(Learner& learner) {
  if (!learner.training()) return;
  lrs_.push_back(learner.lrs().back());
  moms_.push_back(learner.moms().back());
  losses_.push_back(learner.loss().defined() ? learner.loss().item<double>() : NAN);
}

void Recorder::after_epoch(Learner& learner) {
  json row = json::object();
  row["epoch"] = static_cast<int64_t>(history_.size());
  row["train_loss"] = learner.epoch_train_loss();
  const json& valid = learner.last_validation();
  if (valid.is_object())
    for (const auto& [key, value] : valid.items()) row[key == "loss" ? "valid_loss" : key] = value;
  double seconds = learner.epoch_seconds();
  row["time"] = seconds;
  row["train_time"] = train_seconds_.value_or(seconds);
  train_seconds_.reset();
  row["data_wait_pct"] = seconds > 0 ? 100.0 * learner.epoch_wait_seconds() / seconds : 0.0;
  history_.push_back(std::move(row));
  write_files();
}

void Recorder::load_state(const json& state) {
  if (state.contains("history") && state["history"].is_array()) history_ = state["history"];
}

std::vector<double> Recorder::column(const std::string& name) const {
  std::vector<double> out;
  for (const auto& row : history_)
    out.push_back(row.contains(name) && row[name].is_number() ? row[name].get<double>() : NAN);
  return out;
}

void Recorder::write_files() const {
  if (dir_.empty() || history_.empty()) return;
  // Columns in first-seen order across rows (phases may differ in metrics).
  std::vector<std::string> columns;
  for (const auto& row : history_)
    for (const auto& item : row.items())
      if (std::find(columns.begin(), columns.end(), item.key()) == columns.end()) columns.push_back(item.key());
  // json objects iterate sorted; put the natural order first.
  static const std::vector<std::string> first{"epoch", "train_loss", "valid_loss"};
  static const std::vector<std::string> last{"time", "train_time", "data_wait_pct"};
  auto listed = [](const std::vector<std::string>& names, const std::string& c) {
    return std::find(names.begin(), names.end(), c) != names.end();
  };
  std::vector<std::string> ordered;
  for (const auto& c : first)
    if (listed(columns, c)) ordered.push_back(c);
  for (const auto& c : columns)
    if (!listed(first, c) && !listed(last, c)) ordered.push_back(c);
  for (const auto& c : last)
    if (listed(columns, c)) ordered.push_back(c);
  std::ostringstream csv;
  csv.precision(10);
  csv << csv_row(ordered);
  for (const auto& row : history_) {
    for (size_t i = 0; i < ordered.size(); ++i) {
      if (i) csv << ",";
      if (row.contains(ordered[i]) && row[ordered[i]].is_number()) csv << row[ordered[i]].get<double>();
    }
    csv << "\n";
  }
  write_text_atomically(dir_ / "history.csv", csv.str());
  write_text_atomically(dir_ / "history.json", history_.dump(2) + "\n");
}

}  // namespace adapt
