// evaluate_model: an export scored on new labelled data through its recipe's reader settings.
#include <gtest/gtest.h>

#include <sstream>

#include "adapt/export/evaluate_model.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"
#include "support/temp_dir.h"

namespace evaluate_model_test {

using namespace adapt;
using namespace adapt::testing;
namespace fs = std::filesystem;

TEST(EvaluateModel, ScoresNewLabelledDataWithTheRecipesReaderMetricsAndSlices) {
  TempDir dir("evaluate_model");
  std::ostringstream log;
  RunOptions options = quiet(log);
  options.out_dir = dir.path / "run";
  options.write_files = true;
  const RunResult run = train_recipe(rings_recipe(dir.path, 1500, 8), options, core_test_registry());
  write_file(dir.path / "next_year.csv", rings_csv(600, /*seed=*/99));
  const Predictor predictor = Predictor::load(run.model_file, core_test_registry());

  std::ostringstream out;
  EvaluateOptions eval;
  eval.out = &out;
  eval.out_dir = dir.path / "eval";
  eval.slices = {"label"};
  const json result = evaluate_model(predictor, dir.path / "next_year.csv", core_test_registry(), eval);
  EXPECT_EQ(result["rows"], 600);
  const double accuracy = result["metrics"]["accuracy"];
  EXPECT_NEAR(accuracy, run.metrics["valid"]["accuracy"].get<double>(), 0.06) << out.str();
  int64_t total = 0;
  for (const auto& row : result["confusion_matrix"])
    for (const auto& n : row) total += n.get<int64_t>();
  EXPECT_EQ(total, 600);
  ASSERT_EQ(result["slices"]["label"].size(), 3u);
  for (const char* file : {"metrics.json", "predictions.csv", "confusion_matrix.csv", "confusion_matrix.svg",
                           "slices.csv", "slices_label.svg"})
    EXPECT_TRUE(fs::exists(eval.out_dir / file)) << file;
  EXPECT_NE(out.str().find("evaluated 600 rows"), std::string::npos) << out.str();

  // Data without the target, a slice column it lacks, a file that is not there: errors that say so.
  write_file(dir.path / "unlabelled.csv", "x1,x2,x3,x4\n0,0,0,0\n");
  EXPECT_THROW(evaluate_model(predictor, dir.path / "unlabelled.csv", core_test_registry(), {{}, {}, &out}), DataError);
  eval.slices = {"speaker"};
  EXPECT_THROW(evaluate_model(predictor, dir.path / "next_year.csv", core_test_registry(), eval), OptionError);
  EXPECT_THROW(evaluate_model(predictor, dir.path / "missing.csv", core_test_registry(), {{}, {}, &out}), OptionError);
  // A label the model never saw names its row.
  write_file(dir.path / "new_label.csv", "x1,x2,x3,x4,label\n0,0,0,0,inner\n1,1,1,1,halo\n");
  try {
    evaluate_model(predictor, dir.path / "new_label.csv", core_test_registry(), {{}, {}, &out});
    FAIL() << "an unknown label was scored";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("new_label.csv:3"), std::string::npos) << e.what();
  }
}

}  // namespace evaluate_model_test
