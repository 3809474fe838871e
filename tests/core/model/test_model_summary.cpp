// model_summary: every layer with its type, output shape and parameter count, totals that add up, a
// frozen layer counted as frozen; and the run directory's model_summary.txt.
#include <gtest/gtest.h>

#include <regex>

#include "adapt/model/model_summary.h"
#include "core/support/learner_fixtures.h"

using namespace adapt;
using namespace adapt::testing;

TEST(ModelSummary, ListsLayersOutputShapesAndParameterCounts) {
  auto p = tiny_problem(200, 50);
  auto model = tiny_mlp(p, {16, 8});
  int64_t total = 0;
  for (const auto& t : model->parameters()) total += t.numel();
  const std::string summary = model_summary(*model, {50, 2});
  // a, b -> 16 -> 8 -> 2 classes: (2*16+16) + (16*8+8) + (8*2+2) = 202 parameters.
  EXPECT_EQ(total, 202);
  EXPECT_NE(summary.find("parameters: 202 (202 trainable, 0 frozen)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("model output on one batch: [50, 2]"), std::string::npos) << summary;
  EXPECT_TRUE(std::regex_search(summary, std::regex("Linear +\\[\\?, 16\\] +48 +weight\\[16, 2\\] bias\\[16\\]")))
      << summary;
  EXPECT_TRUE(std::regex_search(summary, std::regex("Linear +\\[\\?, 2\\] +18 "))) << summary;

  for (auto& t : model->parameters()) t.set_requires_grad(false);
  EXPECT_NE(model_summary(*model).find("(0 trainable, 202 frozen)"), std::string::npos);
}

TEST(ModelSummary, EveryRunWritesOne) {
  TempDir dir("summary_run");
  RunOptions options;
  options.out_dir = dir.path / "run";
  std::ostringstream out;
  options.out = &out;
  options.progress = false;
  train_recipe(rings_recipe(dir.path, 300, 1), options, core_test_registry());
  std::ifstream in(options.out_dir / "model_summary.txt");
  const std::string summary((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(summary.find("parameters: "), std::string::npos) << summary;
  EXPECT_NE(summary.find("model output on one batch: [60, 3]"), std::string::npos) << summary;
}
