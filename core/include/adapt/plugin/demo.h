#pragma once
// Demo: a deterministic synthetic dataset plus a recipe; `adapt demo NAME` generates, trains, prints
// metrics next to the baseline, exports, reloads and predicts.
#include <filesystem>
#include <string>
#include <vector>

#include "adapt/common/options.h"

namespace adapt {

class ADAPT_API Demo {
 public:
  virtual ~Demo();
  virtual std::string description() const = 0;
  // Writes the synthetic data under `dir` (same seed, same bytes).
  virtual void generate(const std::filesystem::path& dir, uint64_t seed) const = 0;
  // The recipe that trains on what generate() wrote.
  virtual json recipe(const std::filesystem::path& data_dir) const = 0;
  // A few raw inputs to predict after reloading the export (paths, texts, CSV rows...).
  virtual std::vector<std::string> predict_inputs(const std::filesystem::path& data_dir) const = 0;
};

}  // namespace adapt
