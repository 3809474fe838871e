// Confident learning on known probabilities, and the whole audit of a recipe (inspect_recipe) on a
// separable problem whose flipped labels are known.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "adapt/inspect/label_issues.h"
#include "adapt/run/inspect_recipe.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"

namespace inspect_test {
using namespace adapt;

TEST(InspectLabelIssues, ConfidentLearningFindsTheConfidentlyWrongRows) {
  // 50 rows labelled 0 and 50 labelled 1, all predicted 0.9 for their label, except rows 0-4: labelled
  // 0 and predicted 1 with 0.99..0.95 (above class 1's threshold, its mean 0.9 over the rows labelled
  // 1). Row 5 is labelled 0 and unsure (0.55 / 0.45): not an issue. Nor would a row predicted 1 with
  // 0.85 be: below class 1's threshold it is not confidently 1.
  auto p = torch::zeros({100, 2}, torch::kDouble);
  auto y = torch::zeros({100}, torch::kInt64);
  for (int64_t i = 0; i < 100; ++i) {
    const int64_t label = i < 50 ? 0 : 1;
    y[i] = label;
    p[i][label] = 0.9;
    p[i][1 - label] = 0.1;
  }
  for (int64_t i = 0; i < 5; ++i) {
    p[i][1] = 0.99 - 0.01 * static_cast<double>(i);
    p[i][0] = 0.01 + 0.01 * static_cast<double>(i);
  }
  p[5][0] = 0.55, p[5][1] = 0.45;
  const auto issues = find_label_issues(p, y);
  ASSERT_EQ(issues.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(issues[i].index, i);  // most confidently wrong first
    EXPECT_EQ(issues[i].given, 0);
    EXPECT_EQ(issues[i].suggested, 1);
  }
  EXPECT_NEAR(issues[0].given_probability, 0.01, 1e-12);
  p[6][1] = 0.85, p[6][0] = 0.15;  // wrong, but not confidently: still five
  EXPECT_EQ(find_label_issues(p, y).size(), 5u);
}

// "a,b,label" rows of linear_records with labels flipped at `flipped` (0-based data rows).
std::string csv_with_flips(size_t n, const std::set<size_t>& flipped) {
  const Records records = adapt::testing::linear_records(n, 21);
  std::ostringstream csv;
  csv << "a,b,label\n";
  for (size_t r = 0; r < n; ++r) {
    std::string label = records.at(r, 2);
    if (flipped.count(r)) label = label == "pos" ? "neg" : "pos";
    csv << records.at(r, 0) << "," << records.at(r, 1) << "," << label << "\n";
  }
  return csv.str();
}

json recipe_for(const std::string& csv) {
  return {{"seed", 3},
          {"reader", {{"name", "core.csv"}, {"path", csv}}},
          {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
          {"inputs", json::array({{{"name", "core.regression"}, {"columns", {"a", "b"}}}})},
          {"target", {{"name", "core.category"}, {"column", "label"}}},
          {"model", {{"name", "core.mlp"}, {"layers", {8}}}},
          {"train", {{"epochs", 1}}}};
}

TEST(InspectLabelIssues, InspectRecipeRecoversFlippedLabels) {
  adapt::testing::TempDir dir("inspect_flips");
  std::set<size_t> flipped;
  std::mt19937_64 engine(9);
  while (flipped.size() < 30) flipped.insert(engine() % 600);
  const std::string csv = dir.write("data.csv", csv_with_flips(600, flipped));
  std::ostringstream log;
  InspectRunOptions options;
  options.out_dir = dir.path / "inspect";
  options.out = &log;
  const InspectResult result = inspect_recipe(recipe_for(csv), options, adapt::testing::core_test_registry());
  EXPECT_NE(log.str().find("data: 600 records"), std::string::npos) << log.str();
  // Flipped rows in the training split, and the rows flagged (records keep file order: row = data row).
  std::set<size_t> train(result.split.train.begin(), result.split.train.end()), flipped_train, found;
  for (size_t r : flipped)
    if (train.count(r)) flipped_train.insert(r);
  const json& section = result.report.sections["label_issues"];
  EXPECT_EQ(section["baseline"], "core.logistic");
  for (const auto& issue : section["issues"]) found.insert(issue["row"].get<size_t>());
  size_t hits = 0;
  for (size_t r : found) hits += flipped_train.count(r);
  ASSERT_FALSE(found.empty());
  const double precision = double(hits) / double(found.size()), recall = double(hits) / double(flipped_train.size());
  std::cout << "synthetic flips: precision " << precision << " recall " << recall << "\n";
  EXPECT_GE(precision, 0.8);
  EXPECT_GE(recall, 0.8);
  for (const char* file : {"inspect.json", "columns.csv", "drift.csv", "groups.csv", "leakage.csv", "label_issues.csv"})
    EXPECT_TRUE(std::filesystem::exists(options.out_dir / file)) << file;
  std::ifstream issues(options.out_dir / "label_issues.csv");
  std::string header;
  std::getline(issues, header);
  EXPECT_EQ(header, "rank,row,origin,given,suggested,given_probability,suggested_probability,a,b");
}

TEST(InspectLabelIssues, BadInputGivesNotesOrClearErrors) {
  adapt::testing::TempDir dir("inspect_bad");
  std::ostringstream log;
  InspectRunOptions options;
  options.out = &log;
  // Too few training rows for 5 folds: a note, and the cheap checks still run.
  json recipe = recipe_for(dir.write("tiny.csv", csv_with_flips(10, {})));
  InspectReport report = inspect_recipe(recipe, options, adapt::testing::core_test_registry()).report;
  EXPECT_NE(report.sections["label_issues"]["skipped"].get<std::string>().find("too few for 5 folds"),
            std::string::npos);
  EXPECT_TRUE(report.sections.contains("integrity"));
  // A regression target: label issues do not apply, and the report says why.
  recipe = recipe_for(dir.write("reg.csv", csv_with_flips(100, {})));
  recipe["inputs"][0]["columns"] = {"a"};
  recipe["target"] = {{"name", "core.regression"}, {"columns", {"b"}}};
  report = inspect_recipe(recipe, options, adapt::testing::core_test_registry()).report;
  EXPECT_NE(report.sections["label_issues"]["skipped"].get<std::string>().find("regression"), std::string::npos);
  // A group column the data lacks: an error naming it and the columns there are.
  recipe = recipe_for(dir.write("g.csv", csv_with_flips(100, {})));
  recipe["inspect"] = {{"groups", {"speaker"}}};
  EXPECT_THROW_WITH(inspect_recipe(recipe, options, adapt::testing::core_test_registry()), OptionError, "\"speaker\"",
                    "columns: a, b, label");
  // An unknown key of the section fails validation with its path.
  recipe["inspect"] = {{"fold", 3}};
  EXPECT_THROW_WITH(inspect_recipe(recipe, options, adapt::testing::core_test_registry()), OptionError, "inspect", "folds");
}

}  // namespace inspect_test
