// core.fusion across plugins: the fusion demo (text plugin's Transformer + core.mlp) through the real
// plugin host. Its label is an XOR of the review's tone and the sign of x1 + x2, so each branch alone
// is at chance and the fused model must beat both ablation rows; the export predicts raw multi-input
// rows, and one whose review is empty predicts from the numbers.
#include <gtest/gtest.h>

#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/export/export.h"
#include "adapt/run/run_demo.h"
#include "text_test_support.h"

namespace adapt::text {
namespace {

using testing::text_registry;

TEST(FusionDemo, FusedBeatsEachBranchAloneAndPredictsRawRows) {
  set_num_threads(2);
  auto dir = testing::temp_dir("fusion_demo");
  std::ostringstream log;
  RunOptions options;
  options.out_dir = dir;
  options.out = &log;
  options.progress = false;
  auto result = run_demo("fusion", options, text_registry());
  const double fused = result.run.metrics["valid"]["accuracy"];
  const double text = result.run.baselines["branch text"]["valid"]["accuracy"];
  const double numbers = result.run.baselines["branch numbers"]["valid"]["accuracy"];
  const double stacked = result.run.baselines["stacked baselines"]["valid"]["accuracy"];
  std::cout << "fusion demo: fused " << fused << ", text alone " << text << ", numbers alone " << numbers
            << ", stacked baselines " << stacked << "\n";
  EXPECT_GT(fused, 0.85) << log.str();
  EXPECT_LT(text, 0.65) << log.str();
  EXPECT_LT(numbers, 0.65) << log.str();
  EXPECT_LT(stacked, 0.65) << log.str();  // a linear stacker cannot learn the XOR either
  EXPECT_NE(log.str().find("the network beats branch text"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("fusion pays: the fused network beats branch numbers, branch text, stacked baselines"),
            std::string::npos) << log.str();
  ASSERT_EQ(result.predictions.size(), 3u);
  // Same review, numbers of opposite sign: opposite decisions.
  EXPECT_NE(result.predictions[0]["label"], result.predictions[1]["label"]) << result.predictions[0].dump();

  auto predictor = Predictor::load(result.run.model_file, text_registry());
  const auto no_review = predictor.predict_inputs({",0.6,0.3,0.0"});
  ASSERT_EQ(no_review.size(), 1u);
  EXPECT_TRUE(no_review[0].contains("label")) << no_review[0].dump();
  const auto plugins = read_manifest(result.run.model_file)["plugins"];
  EXPECT_TRUE(plugins.contains("text") && plugins.contains("core")) << plugins.dump();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace adapt::text
