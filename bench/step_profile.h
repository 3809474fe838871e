#pragma once
// Where a training step's time goes: wall time per phase of the step (data, forward, backward,
// optimizer, ...) and self time per ATen operator from LibTorch's profiler. The C++ twin of
// bench/peers/step_profile.py (torch.profiler), which writes the same table for the PyTorch peer,
// so the two read side by side (bench/profiles/).
//
// Off unless ADAPT_BENCH_PROFILE names a file: a bench then times `steps` steps for the phases after
// `warmup`, profiles the next `steps` for the operators (the profiler slows each op, so the phase
// times come from steps it did not touch), and appends the report to that file.
//
//   bench::StepProfile profile("text BiLSTM, batch 32");
//   for (...) { profile.begin_step(); ...; profile.phase("data"); ...; profile.phase("forward"); ...;
//               profile.end_step(); }
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "adapt/common/threads.h"
#include "adapt/train/callback.h"

namespace adapt::bench {

class StepProfile {
 public:
  // enabled false: a profile that does nothing, for the timed runs.
  explicit StepProfile(std::string label, bool enabled = true, int warmup = 20, int steps = 50)
      : label_(std::move(label)), warmup_(warmup), steps_(steps) {
    if (const char* file = std::getenv("ADAPT_BENCH_PROFILE"); file && enabled) file_ = file;
  }
  ~StepProfile() {
    if (profiling_) torch::autograd::profiler::disableProfilerLegacy();
  }

  bool enabled() const { return !file_.empty(); }
  // The steps a profiled pass needs: warm-up, timed, profiled.
  int steps_in_all() const { return warmup_ + 2 * steps_; }

  void begin_step() {
    if (!enabled()) return;
    if (step_ == warmup_ + steps_ && !profiling_) start_operators();
    last_ = Clock::now();
  }

  // Ends the phase `name`, which ran since begin_step() or the previous phase().
  void phase(const char* name) {
    if (!enabled()) return;
    const auto now = Clock::now();
    if (timing_phases()) {
      if (!phase_ms_.count(name)) phase_order_.push_back(name);
      phase_ms_[name] += std::chrono::duration<double, std::milli>(now - last_).count();
    }
    last_ = now;
  }

  void end_step() {
    if (!enabled()) return;
    ++step_;
    if (step_ == warmup_ + 2 * steps_) write_report();
  }
  // The end of a plain training step: zero the gradients, backward, optimizer step, read the loss;
  // timed as the phases backward, optimizer and rest. Returns the loss.
  double finish_step(const torch::Tensor& loss, torch::optim::Optimizer& optimizer) {
    optimizer.zero_grad();
    loss.backward();
    phase("backward");
    optimizer.step();
    phase("optimizer");
    const double value = loss.item<double>();
    phase("rest");
    end_step();
    return value;
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct OpTime {
    double self_us = 0;
    int64_t calls = 0;
  };

  bool timing_phases() const { return step_ >= warmup_ && step_ < warmup_ + steps_; }

  void start_operators() {
    torch::autograd::profiler::enableProfilerLegacy(
        torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
    profiling_ = true;
  }

  // Self time per operator name: an op's elapsed time less that of the ops it called.
  std::map<std::string, OpTime> operator_times() {
    const auto threads = torch::autograd::profiler::disableProfilerLegacy();
    profiling_ = false;
    std::map<std::string, OpTime> times;
    for (const auto& events : threads) {
      std::vector<std::pair<const torch::autograd::profiler::LegacyEvent*, double>> open;  // push, child time
      for (const auto& event : events) {
        using torch::autograd::profiler::EventKind;
        if (event.kind() == EventKind::PushRange) open.emplace_back(&event, 0.0);
        if (event.kind() != EventKind::PopRange || open.empty()) continue;
        const auto [push, children] = open.back();
        open.pop_back();
        const double elapsed = push->cpuElapsedUs(event);
        auto& time = times[push->name()];
        time.self_us += elapsed - children;
        ++time.calls;
        if (!open.empty()) open.back().second += elapsed;
      }
    }
    return times;
  }

  void write_report() {
    auto ops = operator_times();
    std::FILE* out = std::fopen(file_.c_str(), "a");
    if (!out) {
      std::fprintf(stderr, "step_profile: cannot write %s\n", file_.c_str());
      return;
    }
    double step_ms = 0;
    for (const auto& [name, ms] : phase_ms_) step_ms += ms / steps_;
    std::fprintf(out, "\n### adapt: %s (%d threads)\n\n%d steps timed after %d warm-up steps, %d more profiled.\n\n",
                 label_.c_str(), num_threads(), steps_, warmup_, steps_);
    std::fprintf(out, "| phase | ms/step | share |\n|---|---|---|\n");
    for (const auto& name : phase_order_) {
      const double ms = phase_ms_[name] / steps_;
      std::fprintf(out, "| %s | %.3f | %.1f%% |\n", name.c_str(), ms, 100 * ms / step_ms);
    }
    std::fprintf(out, "| **step** | **%.3f** | |\n\n", step_ms);
    std::vector<std::pair<std::string, OpTime>> sorted(ops.begin(), ops.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.second.self_us > b.second.self_us; });
    double total_us = 0;
    for (const auto& [name, time] : sorted) total_us += time.self_us;
    std::fprintf(out, "| operator (top 12 by self time) | calls/step | self ms/step | share of op time |\n"
                      "|---|---|---|---|\n");
    for (size_t i = 0; i < sorted.size() && i < 12; ++i) {
      const auto& [name, time] = sorted[i];
      std::fprintf(out, "| %s | %.1f | %.3f | %.1f%% |\n", name.c_str(), double(time.calls) / steps_,
                   time.self_us / 1000 / steps_, 100 * time.self_us / total_us);
    }
    std::fprintf(out, "| all %zu operators (profiled, so slower than the step above) | | %.3f | |\n", sorted.size(),
                 total_us / 1000 / steps_);
    std::fclose(out);
  }

  std::string label_, file_;
  int warmup_, steps_, step_ = 0;
  bool profiling_ = false;
  Clock::time_point last_;
  std::map<std::string, double> phase_ms_;
  std::vector<std::string> phase_order_;
};

// The phases of a Learner's step, for the benches that train through the real Learner: data
// (the loader, and the callbacks' before_batch such as the lr schedule), forward, loss, backward,
// optimizer, and the rest (the other callbacks, recording, bookkeeping). Runs after every callback.
class StepProfileCallback : public Callback {
 public:
  explicit StepProfileCallback(StepProfile& profile) : profile_(profile) {}
  std::string name() const override { return "step_profile"; }
  int order() const override { return 1000; }

  void before_epoch(Learner&) override { profile_.begin_step(); }
  void before_batch(Learner&) override { profile_.phase("data"); }
  void after_pred(Learner&) override { profile_.phase("forward"); }
  void after_loss(Learner&) override { profile_.phase("loss"); }
  void before_backward(Learner&) override { profile_.phase("rest"); }
  void after_backward(Learner&) override { profile_.phase("backward"); }
  void before_step(Learner&) override { profile_.phase("rest"); }
  void after_step(Learner&) override { profile_.phase("optimizer"); }
  void after_batch(Learner&) override {
    profile_.phase("rest");
    profile_.end_step();
    profile_.begin_step();
  }

 private:
  StepProfile& profile_;
};

}  // namespace adapt::bench
