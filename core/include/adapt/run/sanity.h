#pragma once
// Sanity runs: the recipe trained on a short budget with its training labels shuffled, and with its
// inputs replaced by noise. A network that beats chance on validation after either has learned
// something other than the task (leakage between the parts, a metric computed on the wrong rows);
// a real model no better than its noise run has learned nothing from its inputs.
// Chance is the constant baseline on the same validation rows.
#include <iosfwd>

#include "adapt/recipe/recipe.h"

namespace adapt {

struct SanityOptions {
  int64_t max_epochs = 3;    // each phase's epochs are capped at this (the short budget)
  double tolerance = 0.05;   // bounded metrics: max(tolerance, 3 / sqrt(validation rows)) above chance
  bool train_real = true;    // also train the real recipe on the same budget (false: `real_score` given)
  double real_score = 0;     // the real model's validation score on the primary metric, when not trained here
  std::ostream* out = nullptr;  // the runs' summary; nullptr: std::cout
};

// {"metric", "higher_is_better", "chance", "tolerance", "max_epochs", "validation", "real",
//  "shuffled_labels", "noise_inputs", "findings": [...], "passed": bool}. `passed` is false when the shuffled-label or the noise run beats
// chance by more than the tolerance; a real model that does not beat its noise run is a finding that
// does not fail. A recipe without a validation part (a refit) is judged on a fifth of its training rows
// instead ("validation" says which); the test part is never used.
ADAPT_API json sanity_check(const json& recipe, const Registry& registry, const SanityOptions& options = {});

}  // namespace adapt
