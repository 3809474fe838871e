#include <gtest/gtest.h>

#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"

using namespace adapt;
using namespace adapt::testing;

namespace {
std::vector<torch::Tensor> train_once(const json& recipe, const std::filesystem::path& dir) {
  std::ostringstream out;
  RunOptions options;
  options.out_dir = dir;
  options.out = &out;
  options.progress = false;
  options.write_files = false;
  RunResult run = train_recipe(recipe, options, core_test_registry());
  return weights_of(run.learner->model());
}
}  // namespace

TEST(Reproducibility, SameRecipeAndSeedGiveBitIdenticalWeights) {
  int threads = num_threads();
  set_num_threads(1);
  TempDir dir("repro");
  json recipe = rings_recipe(dir.path, 600, 3);
  recipe["model"]["dropout"] = 0.1;  // uses the torch RNG
  recipe["loader"]["workers"] = 2;   // batches must not depend on worker timing
  recipe.erase("baselines");
  auto a = train_once(recipe, dir.path / "a");
  auto b = train_once(recipe, dir.path / "b");
  EXPECT_TRUE(bit_equal(a, b));
  recipe["seed"] = 43;
  auto c = train_once(recipe, dir.path / "c");
  EXPECT_FALSE(bit_equal(a, c));
  set_num_threads(threads);
}

TEST(Reproducibility, ThreadPolicy) {
  int before = num_threads();
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  setenv("ADAPT_NUM_THREADS", "2", 1);
  set_num_threads(0);
  EXPECT_EQ(num_threads(), 2);
  setenv("ADAPT_NUM_THREADS", "many", 1);
  EXPECT_THROW(set_num_threads(0), OptionError);
  unsetenv("ADAPT_NUM_THREADS");
  set_num_threads(before);
}
