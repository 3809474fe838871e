#pragma once
// Label issues from the network's own out-of-fold probabilities (docs/inspect.md, "label issues"):
// the recipe's model and train section trained once per fold on the other folds' training rows, with
// no validation part (nothing of the held-out fold steers training), then confident learning as with
// a baseline. K trainings: asked for with "inspect": {"label_issues_model": "network"}.
#include <memory>

#include "adapt/baseline/baseline.h"
#include "adapt/plugin/registry.h"
#include "adapt/run/stages.h"

namespace adapt {

// A Baseline whose fit() trains the recipe's network from `base` (a run state after setup_blocks) on
// ctx.split.train, quietly, and whose predict() gives its log-probabilities. `base` and `registry`
// must outlive it.
ADAPT_API std::shared_ptr<Baseline> network_baseline(const RunState& base, const Registry& registry);

// After a run's training (`adapt train` with label_issues_model "network"): the label issue search
// over the training rows with network_baseline; prints the count and the first issues, writes
// label_issues.csv to the run directory and returns {"model", "folds", "issues", "file"} (or the
// reason it was skipped) for the run's reports.
ADAPT_API json network_label_issues(const RunState& state, const Registry& registry, RunContext& ctx);

}  // namespace adapt
