#pragma once
// `adapt train --dry-run`: what a run would build, without training or writing anything.
#include <string>

#include "adapt/run/train_recipe.h"

namespace adapt {

// Checks the recipe, reads and splits the data, sets up the blocks and builds the model exactly as
// train_recipe would, then returns the model's summary (adapt/model/model_summary.h) with the output
// shape of one batch. Nothing is trained and no file is written; options.out gets the data lines.
ADAPT_API std::string dry_run(const json& recipe, const RunOptions& options, const Registry& registry);

}  // namespace adapt
