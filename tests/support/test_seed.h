#pragma once
// ADAPT_TEST_SEED=N retrains a real-data test's recipe with another training seed on the same split:
// how bench/spread/run.sh measures the run-to-run spread that each test's floor sits below. Unset,
// the recipe is unchanged (seed 42).
#include <cstdlib>
#include <string>

#include "adapt/common/options.h"

namespace adapt::test_support {

inline json with_test_seed(json recipe) {
  const char* seed = std::getenv("ADAPT_TEST_SEED");
  if (seed == nullptr || *seed == '\0') return recipe;
  // The seeded core splitters draw from the recipe's seed unless given one: pin the split first.
  json& splitter = recipe["splitter"];
  const std::string name = splitter.is_object() ? splitter.value("name", "") : "";
  if ((name == "core.random" || name == "core.stratified" || name == "core.grouped") && !splitter.contains("seed"))
    splitter["seed"] = recipe.value("seed", 42);
  recipe["seed"] = std::stoull(seed);
  return recipe;
}

}  // namespace adapt::test_support
