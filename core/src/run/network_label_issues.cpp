#include "adapt/run/network_label_issues.h"

#include <sstream>

#include "adapt/common/atomic_file.h"
#include "adapt/inspect/inspect.h"

namespace adapt {

namespace {

class NetworkBaseline : public Baseline {
 public:
  NetworkBaseline(const RunState& base, const Registry& registry) : base_(base), registry_(registry) {}

  std::string description() const override {
    return "the recipe's network (" + base_.filled.at("model").value("name", std::string("?")) + ")";
  }

  void fit(const BaselineContext& ctx) override {
    std::ostringstream quiet;
    RunContext run(quiet_run_options(quiet));
    state_ = std::make_unique<RunState>(base_);
    state_->split = {ctx.split.train, {}, {}};
    state_->learner.reset(), state_->model.reset(), state_->predictions.clear();
    // No validation part to monitor (watching the held-out fold would steer training by its labels):
    // the train section's schedule runs to its end.
    state_->plan.early_stopping = nullptr, state_->plan.save_best = nullptr, state_->plan.checkpoint = nullptr;
    state_->best_file.clear();
    build_learner(*state_, registry_, run);
    fit_phases(*state_, run);
  }

  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override {
    if (!state_) throw Error("network baseline: predict before fit");
    return torch::log_softmax(state_->learner->outputs(ctx.records.subset(rows)).to(torch::kDouble), 1);
  }

 private:
  const RunState& base_;
  const Registry& registry_;
  std::unique_ptr<RunState> state_;
};

}  // namespace

std::shared_ptr<Baseline> network_baseline(const RunState& base, const Registry& registry) {
  return std::make_shared<NetworkBaseline>(base, registry);
}

json network_label_issues(const RunState& state, const Registry& registry, RunContext& ctx) {
  InspectOptions options = InspectOptions::from_json(state.recipe.value("inspect", json::object()), state.seed);
  const std::string name = network_baseline(state, registry)->description();
  ctx.out() << "\nlabel issues: training " << name << " on " << options.folds << " folds of the training rows\n";
  InspectReport report;
  check_label_issues(inspect_input(*state.records, state.split, *state.blocks), options, *state.blocks,
                     [&] { return network_baseline(state, registry); }, name, report);
  const json& section = report.sections["label_issues"];
  if (section.contains("skipped")) {
    ctx.out() << "label issues not searched: " << section["skipped"].get<std::string>() << "\n";
    return {{"model", name}, {"skipped", section["skipped"]}};
  }
  InspectReport shown;
  shown.sections["label_issues"] = section;
  print_inspect_report(shown, ctx.out());
  json summary = {{"model", name}, {"folds", options.folds}, {"issues", section["issues"].size()}};
  if (!ctx.dir().empty()) {
    write_text_atomically(ctx.dir() / "label_issues.csv", label_issues_csv(section));
    summary["file"] = "label_issues.csv";
  }
  return summary;
}

}  // namespace adapt
