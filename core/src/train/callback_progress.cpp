// Progress: a live bar with ETA when printing to a terminal, and a per-epoch table always
// (epoch, train_loss, valid_loss, metrics, data wait, time) so logs stay readable in files and CI.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "adapt/train/callbacks.h"
#include "adapt/train/learner.h"

namespace adapt {
namespace {

std::string format_value(const json& value) {
  if (!value.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", value.get<double>());
  return buf;
}

}  // namespace

std::string format_duration(double seconds) {
  seconds = std::isfinite(seconds) ? std::max(0.0, seconds) : 0.0;
  char buf[32];
  // Fast epochs are common (small tables, a GPU): "00:00" for all of them would compare nothing.
  if (seconds < 1.0) {
    std::snprintf(buf, sizeof buf, "%.3fs", seconds);
    return buf;
  }
  if (seconds < 59.95) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    return buf;
  }
  auto s = static_cast<int64_t>(std::llround(seconds));
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return buf;
}

double fit_eta(double elapsed, int64_t first_epoch, int64_t epoch, int64_t n_epochs, int64_t done, int64_t total) {
  const double epochs = static_cast<double>(n_epochs - first_epoch);
  if (epochs <= 0 || total <= 0) return 0.0;
  const double finished =
      static_cast<double>(epoch - first_epoch) + static_cast<double>(done) / static_cast<double>(total);
  if (finished <= 0) return 0.0;
  return std::max(0.0, elapsed / finished * (epochs - finished));
}

ProgressCallback::ProgressCallback() = default;

void ProgressCallback::before_fit(Learner& learner) {
  live_ = &learner.out() == &std::cout && ::isatty(STDOUT_FILENO);
  columns_ = {"epoch", "train_loss"};
  if (learner.loader(Split::valid)) {
    columns_.push_back("valid_loss");
    for (const auto& m : learner.metrics()) columns_.push_back(m->name());
  }
  columns_.push_back("data_wait");
  columns_.push_back("time");
  header_printed_ = false;
  fit_started_ = std::chrono::steady_clock::now();
  first_epoch_ = learner.start_epoch();
}

void ProgressCallback::before_epoch(Learner&) { last_draw_ = std::chrono::steady_clock::time_point{}; }

void ProgressCallback::after_batch(Learner& learner) {
  if (!live_) return;
  auto now = std::chrono::steady_clock::now();
  bool last = learner.iteration() + 1 >= learner.n_iterations();
  if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  int64_t done = learner.iteration() + 1, total = learner.n_iterations();
  double elapsed = learner.epoch_seconds();
  // The ETA is for the whole fit: the epochs still to come (with their validation) at this fit's pace.
  const double fit_elapsed = std::chrono::duration<double>(now - fit_started_).count();
  double eta = fit_eta(fit_elapsed, first_epoch_, learner.epoch(), learner.n_epochs(), done, total);
  const int width = 30;
  int filled = static_cast<int>(width * done / std::max<int64_t>(total, 1));
  std::string bar(static_cast<size_t>(filled), '#');
  bar += std::string(static_cast<size_t>(width - filled), '.');
  char line[256];
  std::snprintf(line, sizeof line, "\r epoch %lld/%lld [%s] %lld/%lld loss %.4f  %s, fit eta %s   ",
                static_cast<long long>(learner.epoch() + 1), static_cast<long long>(learner.n_epochs()), bar.c_str(),
                static_cast<long long>(done), static_cast<long long>(total), learner.epoch_train_loss(),
                format_duration(elapsed).c_str(), format_duration(eta).c_str());
  learner.out() << line << std::flush;
}

void ProgressCallback::after_epoch(Learner& learner) {
  auto& out = learner.out();
  if (live_) out << "\r" << std::string(100, ' ') << "\r";
  if (!header_printed_) {
    for (const auto& c : columns_) out << (c == "epoch" ? "" : "  ") << (c.size() < 10 ? std::string(10 - c.size(), ' ') : "") << c;
    out << "\n";
    header_printed_ = true;
  }
  const json& row = learner.recorder().history().back();
  for (const auto& c : columns_) {
    std::string cell;
    if (c == "epoch")
      cell = std::to_string(row.value("epoch", int64_t{0}));
    else if (c == "time")
      cell = format_duration(row.value("time", 0.0));
    else if (c == "data_wait") {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.1f%%", row.value("data_wait_pct", 0.0));
      cell = buf;
    } else
      cell = row.contains(c) ? format_value(row[c]) : "-";
    out << (c == "epoch" ? "" : "  ") << (cell.size() < 10 ? std::string(10 - cell.size(), ' ') : "") << cell;
  }
  out << "\n" << std::flush;
}

void ProgressCallback::after_fit(Learner& learner, bool) {
  if (learner.stopped() && !learner.stop_reason().empty()) learner.out() << learner.stop_reason() << "\n" << std::flush;
}

}  // namespace adapt
