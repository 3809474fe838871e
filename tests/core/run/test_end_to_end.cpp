// End to end with core components only: a CSV written here -> core.csv -> core.random ->
// core.regression inputs -> core.category target -> core.mlp, against the core.logistic baseline.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/common/version.h"
#include "adapt/data/csv.h"
#include "adapt/export/export.h"
#include "adapt/recipe/recipe.h"
#include "adapt/run/run_demo.h"
#include "core/support/learner_fixtures.h"

using namespace adapt;
using namespace adapt::testing;

TEST(EndToEnd, CsvToMlpReachesTheStatedAccuracyAndBeatsLogisticRegression) {
  TempDir dir("e2e");
  std::ostringstream out;
  RunOptions options;
  options.out_dir = dir.path / "run";
  options.out = &out;
  options.progress = true;
  json recipe = rings_recipe(dir.path, 2000, 10);
  recipe["interpret"] = {{"top_losses", 5}};
  RunResult run = train_recipe(recipe, options, core_test_registry());

  double network = run.metrics["valid"]["accuracy"].get<double>();
  double logistic = run.baselines["core.logistic"]["valid"]["accuracy"].get<double>();
  // Rings are not linearly separable: logistic regression stays near the majority share.
  EXPECT_GE(network, 0.9) << out.str();
  EXPECT_GE(network, logistic + 0.2) << out.str();
  EXPECT_NE(out.str().find("the network beats core.logistic on accuracy"), std::string::npos) << out.str();

  for (const char* file : {"model.adapt", "run.json", "metrics.json", "model_summary.txt", "history.csv",
                           "history.json", "loss.svg", "metrics.svg", "confusion_matrix.csv", "confusion_matrix.svg",
                           "most_confused.csv", "top_losses.csv", "predictions.csv", "reliability.svg"})
    EXPECT_TRUE(std::filesystem::exists(options.out_dir / file)) << file;
  std::ifstream in(options.out_dir / "run.json");
  json run_json = json::parse(in);
  EXPECT_EQ(run_json["seed"], 42);
  EXPECT_EQ(run_json["data"]["records"], 2000);
  EXPECT_EQ(run_json["data"]["split"]["valid"], 400);
  EXPECT_EQ(run_json["data"]["hash"].get<std::string>().rfind("fnv1a64:", 0), 0u);
  EXPECT_EQ(run_json["versions"]["adapt"], version());
  EXPECT_EQ(run_json["history"].size(), 10u);
  // split.csv: every record once, with its part, in the reader's order.
  const Records split = read_csv_file((options.out_dir / "split.csv").string());
  ASSERT_EQ(split.size(), 2000u);
  EXPECT_EQ(split.column_names(), (std::vector<std::string>{"row", "origin", "part"}));
  size_t valid = 0;
  for (size_t row = 0; row < split.size(); ++row) {
    EXPECT_EQ(split.at(row, "row"), std::to_string(row));
    valid += split.at(row, "part") == "valid";
  }
  EXPECT_EQ(valid, 400u);
  EXPECT_NE(split.at(0, "origin").find(".csv:2"), std::string::npos) << split.at(0, "origin");
  // predictions.csv: every validation row once, its label and the decoded prediction.
  const Records preds = read_csv_file((options.out_dir / "predictions.csv").string());
  ASSERT_EQ(preds.size(), 400u);
  size_t right = 0;
  for (size_t row = 0; row < preds.size(); ++row) {
    EXPECT_EQ(preds.at(row, "part"), "valid");
    EXPECT_EQ(split.at(std::stoul(preds.at(row, "row")), "part"), "valid");
    right += json::parse(preds.at(row, "prediction"))["label"] == preds.at(row, "target");
  }
  EXPECT_NEAR(static_cast<double>(right) / 400.0, network, 1e-9);
  // The metrics plot shows the baseline's score as a reference line.
  std::ifstream plot(options.out_dir / "metrics.svg");
  const std::string svg((std::istreambuf_iterator<char>(plot)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("accuracy: core.logistic"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<polyline"), std::string::npos) << svg;
  // Top losses show the raw item (the input block's description of the row).
  EXPECT_EQ(out.str().find("top losses (valid)") != std::string::npos, true);

  // The export predicts what the learner predicts.
  Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  auto p = predictor.predict_inputs({"0.05,0.05,0.3,-0.2", "2.5,2.5,0,0"});
  EXPECT_EQ(p[0]["label"], "inner");
  EXPECT_EQ(p[1]["label"], "outer");
  // A badly quoted input file: the error asks to fix it, not to change reader options that the export fixes.
  const auto broken = dir.path / "broken.csv";
  std::ofstream(broken) << "x1,x2,x3,x4\n0.1,\"0.2,0.3,0.4\n";
  try {
    predictor.predict_inputs({broken.string()});
    ADD_FAILURE() << "a quote that never closes must be an error";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("broken.csv:2"), std::string::npos) << message;
    EXPECT_NE(message.find("Fix the quoting of that input"), std::string::npos) << message;
    EXPECT_EQ(message.find("\"quote\""), std::string::npos) << message;
  }
}

// A refit (no validation split) has no per-epoch metrics: metrics.svg shows the test score, taken once
// after the last epoch, against the baseline's test score instead of empty axes.
TEST(EndToEnd, RefitMetricsPlotShowsTheTestScores) {
  TempDir dir("refit_plot");
  std::ostringstream out;
  RunOptions options;
  options.out_dir = dir.path / "run";
  options.out = &out;
  json recipe = rings_recipe(dir.path, 600, 2);
  recipe["splitter"] = {{"name", "core.random"}, {"valid_pct", 0.0}, {"test_pct", 0.2}};
  RunResult run = train_recipe(recipe, options, core_test_registry());
  ASSERT_FALSE(run.metrics.contains("valid"));
  std::ifstream plot(options.out_dir / "metrics.svg");
  const std::string svg((std::istreambuf_iterator<char>(plot)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("test metrics"), std::string::npos) << svg;
  EXPECT_NE(svg.find("accuracy (test)"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<circle"), std::string::npos) << "the test score is drawn\n" << svg;
  EXPECT_NE(svg.find("accuracy: core.logistic"), std::string::npos) << svg;
}

// Relative paths of a recipe given in memory are read from the working directory: run.json records
// them absolute, so its recipe runs from anywhere.
TEST(EndToEnd, RunJsonRecordsAbsolutePaths) {
  TempDir dir("absolute_paths");
  json recipe = rings_recipe(dir.path, 300, 1);
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path);
  recipe["reader"]["path"] = "rings.csv";
  RunOptions options;
  options.out_dir = dir.path / "run";
  std::ostringstream out;
  options.out = &out;
  EXPECT_NO_THROW(train_recipe(recipe, options, core_test_registry()));
  std::filesystem::current_path(previous);
  std::ifstream in(options.out_dir / "run.json");
  const json run_json = json::parse(in);
  EXPECT_EQ(run_json["recipe"]["reader"]["path"], (dir.path / "rings.csv").lexically_normal().string());
}

TEST(EndToEnd, CoreDemoRunsTheWholeJourney) {
  TempDir dir("demo");
  std::ostringstream out;
  RunOptions options;
  options.out_dir = dir.path;
  options.out = &out;
  options.progress = false;
  DemoResult demo = run_demo("core", options, core_test_registry());
  ASSERT_EQ(demo.predictions.size(), 3u);
  for (const auto& p : demo.predictions) EXPECT_TRUE(p.contains("label")) << p.dump();
  EXPECT_GE(demo.run.metrics["valid"]["accuracy"].get<double>(), 0.85) << out.str();
  EXPECT_TRUE(std::filesystem::exists(dir.path / "data" / "data.csv"));
  EXPECT_NE(out.str().find("reloading"), std::string::npos);
  // The demo's recipe, in its run directory with paths relative to it, loads to the recipe it ran.
  const json written = load_recipe(dir.path / "recipe.json");
  EXPECT_EQ(written["reader"]["path"], (dir.path / "data" / "data.csv").string());
  EXPECT_TRUE(written["description"].is_string());
  json ran = written;
  ran.erase("description");
  std::ifstream record(dir.path / "run.json");
  EXPECT_EQ(json::parse(record)["recipe"]["reader"]["path"], ran["reader"]["path"]);
  EXPECT_THROW(run_demo("no_such_plugin", options, core_test_registry()), OptionError);
}

// A standardised regression target: the run trains in standard deviations, but its RMSE, its
// predictions and its top losses are in the column's own units.
TEST(EndToEnd, StandardisedRegressionTargetReportsItsOwnUnits) {
  TempDir dir("e2e_units");
  std::string csv = "x,y\n";
  for (int i = 0; i < 400; ++i) {
    const double x = (i % 40) / 40.0;
    csv += std::to_string(x) + "," + std::to_string(100.0 + 20.0 * x + 3.0 * std::sin(i * 1.7)) + "\n";
  }
  write_file(dir.path / "lin.csv", csv);
  const json recipe = {
      {"seed", 42},
      {"reader", {{"name", "core.csv"}, {"path", (dir.path / "lin.csv").string()}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.25}}},
      {"inputs", json::array({{{"name", "core.regression"}, {"columns", {"x"}}, {"normalize", true}}})},
      {"target", {{"name", "core.regression"}, {"column", "y"}, {"normalize", true}}},
      {"loader", {{"batch_size", 32}, {"workers", 1}}},
      {"model", {{"name", "core.mlp"}, {"layers", {16}}}},
      {"metrics", {"core.rmse", "core.r2"}},
      {"interpret", {{"top_losses", 3}}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 3}, {"lr", 1e-2}}},
  };
  std::ostringstream out;
  RunOptions options;
  options.out_dir = dir.path / "run";
  options.out = &out;
  RunResult run = train_recipe(recipe, options, core_test_registry());
  // RMSE from the decoded predictions (raw units) equals the run's.
  const Records preds = read_csv_file((options.out_dir / "predictions.csv").string());
  ASSERT_EQ(preds.size(), 100u);
  double sum_sq = 0;
  for (size_t row = 0; row < preds.size(); ++row) {
    const double e = json::parse(preds.at(row, "prediction"))["value"].get<double>() - std::stod(preds.at(row, "target"));
    sum_sq += e * e;
  }
  const double rmse = run.metrics["valid"]["rmse"].get<double>();
  EXPECT_NEAR(rmse, std::sqrt(sum_sq / 100.0), 1e-4 * rmse) << out.str();
  EXPECT_GT(rmse, 1.0) << "in standard deviations, not in y's units: " << out.str();
  // Top losses name the actual and predicted y, about 100-120, not standardised values.
  const Records top = read_csv_file((options.out_dir / "top_losses.csv").string());
  ASSERT_GE(top.size(), 1u);
  EXPECT_GT(std::stod(top.at(0, "actual")), 90.0) << out.str();
  EXPECT_GT(std::stod(top.at(0, "predicted")), 50.0) << out.str();
}
