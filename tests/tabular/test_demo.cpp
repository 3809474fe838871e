// `adapt demo tabular` end to end through run_demo: generate, train, baselines, report, export,
// reload, predict CSV rows (one with an unseen category and missing values).
#include <fstream>
#include <iostream>
#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/plugin/demo.h"
#include "adapt/run/run_demo.h"
#include "tabular_test_util.h"

namespace adapt {
namespace {

using tabular_test::registry;

TEST(TabularDemo, DataIsDeterministicAndCensusLike) {
  auto demo = registry().demo({{"name", "tabular.demo"}}, "demo");
  const auto a = tabular_test::temp_dir("demo_a"), b = tabular_test::temp_dir("demo_b");
  demo->generate(a, 42);
  demo->generate(b, 42);
  const auto read = [](const std::filesystem::path& f) {
    std::ifstream in(f);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string text = read(a / "train.csv");
  EXPECT_EQ(text, read(b / "train.csv"));
  EXPECT_EQ(read(a / "test.csv"), read(b / "test.csv"));
  size_t rows = 0, rich = 0;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("age,workclass,", 0), 0u);
  while (std::getline(lines, line)) {
    ++rows;
    rich += line.size() > 5 && line.substr(line.size() - 4) == ">50K";
  }
  EXPECT_EQ(rows, 8000u);
  const double positive = static_cast<double>(rich) / rows;
  EXPECT_GT(positive, 0.20);  // imbalanced, like the census (24%)
  EXPECT_LT(positive, 0.30);
  EXPECT_NE(text.find(",NA,"), std::string::npos);          // missing capital gain
  EXPECT_NE(text.find("Never-worked"), std::string::npos);  // a rare category
}

TEST(TabularDemo, RunsEndToEnd) {
  set_num_threads(2);
  const auto dir = tabular_test::temp_dir("demo_run");
  std::ostringstream out;
  RunOptions options;
  options.out_dir = dir;
  options.out = &out;
  options.progress = false;
  const DemoResult result = run_demo("tabular", options, registry());
  const std::string text = out.str();
  const double network = result.run.metrics.at("test").at("accuracy").get<double>();
  const double logistic = result.run.baselines.at("tabular.linear").at("test").at("accuracy").get<double>();
  const double xgboost = result.run.baselines.at("tabular.xgboost").at("test").at("accuracy").get<double>();
  std::cout << "demo test accuracy: network " << network << ", logistic " << logistic << ", xgboost " << xgboost
            << "\n";
  // The label is a noisy logistic function of the inputs: about 0.88 is the noise ceiling here, and
  // always predicting "<=50K" scores about 0.75.
  EXPECT_GT(network, 0.83);
  EXPECT_GT(logistic, 0.81);
  EXPECT_GT(xgboost, 0.81);
  ASSERT_EQ(result.predictions.size(), 3u);
  for (const auto& p : result.predictions) EXPECT_TRUE(p.contains("label")) << p.dump();
  EXPECT_EQ(result.predictions[0].at("label"), ">50K");   // a rich profile
  EXPECT_EQ(result.predictions[1].at("label"), "<=50K");  // a poor one
  EXPECT_TRUE(std::filesystem::exists(dir / "feature_importance.csv"));
  EXPECT_TRUE(result.run.reports.contains("tabular.permutation_importance"));
}

}  // namespace
}  // namespace adapt
