#pragma once
// The options of a test's training run: its files into `dir`, its log into `log`, no progress bar.
#include <filesystem>
#include <ostream>

#include "adapt/run/train_recipe.h"

namespace adapt::test_support {

inline RunOptions quiet_run(const std::filesystem::path& dir, std::ostream& log) {
  RunOptions options;
  options.out_dir = dir;
  options.out = &log;
  options.progress = false;
  return options;
}

}  // namespace adapt::test_support
