// The cheap checks of the audit on small built data whose problems are known: each is found, named,
// and nothing is reported for clean columns.
#include <gtest/gtest.h>

#include <random>

#include "adapt/inspect/inspect.h"
#include "support/expect_error.h"

namespace inspect_test {
using namespace adapt;

// 300 rows: "x" noise, "copy" the label itself, "const" one value, "mostly" 80% missing, "mixed" numbers
// with a word in rows 0-2, "speaker" s0..s4, and s5 in rows 250-289 (test); rows 0-9 repeated as 290-299 (identical inputs,
// and rows 295-299 with the other label: conflicts). train 0-199, valid 200-249, test 250-299.
struct Problem {
  Records records{{"x", "copy", "const", "mostly", "mixed", "speaker", "label"}, "problem.csv"};
  SplitIndices split;

  Problem() {
    std::mt19937_64 engine(3);
    std::normal_distribution<double> normal;
    for (size_t i = 0; i < 290; ++i) {
      const std::string label = normal(engine) > 0 ? "yes" : "no";
      const std::string speaker = i >= 250 ? "s5" : "s" + std::to_string(i % 5);
      add(std::to_string(normal(engine)), label, i % 5 == 0 ? std::to_string(i) : "", i < 3 ? "abc" : std::to_string(i % 7),
          speaker, label);
    }
    for (size_t i = 0; i < 10; ++i) {
      std::vector<std::string> row;
      for (size_t c = 0; c < records.column_names().size(); ++c) row.push_back(records.at(i, c));
      if (i >= 5) row.back() = row.back() == "yes" ? "no" : "yes";
      records.add_row(row, "problem.csv:" + std::to_string(records.size() + 2));
    }
    for (size_t i = 0; i < 300; ++i) (i < 200 ? split.train : i < 250 ? split.valid : split.test).push_back(i);
  }
  void add(const std::string& x, const std::string& copy, const std::string& mostly, const std::string& mixed,
           const std::string& speaker, const std::string& label) {
    records.add_row({x, copy, "same", mostly, mixed, speaker, label}, "problem.csv:" + std::to_string(records.size() + 2));
  }
  InspectInput input() const {
    return {records, split, {"x", "copy", "const", "mostly", "mixed"}, "label", {"no", "yes"}, true};
  }
};

bool has(const InspectReport& report, const std::string& check, const std::string& fragment) {
  for (const auto& f : report.findings)
    if (f.check == check && f.message.find(fragment) != std::string::npos) return true;
  return false;
}

std::string all(const InspectReport& report) {
  std::string out;
  for (const auto& f : report.findings) out += f.check + ": " + f.message + "\n";
  return out;
}

TEST(InspectChecks, IntegrityFindsEachProblemByName) {
  const Problem p;
  const InspectReport report = cheap_checks(p.input(), {});
  EXPECT_TRUE(has(report, "single_value", "\"const\"")) << all(report);
  EXPECT_TRUE(has(report, "mostly_missing", "\"mostly\" is missing in 80")) << all(report);
  EXPECT_TRUE(has(report, "mixed_types", "\"mixed\" holds 294 numbers and 6 other values")) << all(report);
  EXPECT_TRUE(has(report, "duplicate_rows", "5 of 300 rows")) << all(report);
  EXPECT_TRUE(has(report, "conflicting_labels", "5 sets of identical inputs")) << all(report);
  EXPECT_FALSE(has(report, "single_value", "\"x\"")) << all(report);
  EXPECT_FALSE(has(report, "mixed_types", "\"x\"")) << all(report);
  const json& integrity = report.sections["integrity"];
  EXPECT_EQ(integrity["duplicate_rows"], 5);
  EXPECT_EQ(integrity["conflicting_label_rows"], 10);
}

TEST(InspectChecks, SingleColumnLeakageNamesTheCopyOfTheLabel) {
  const Problem p;
  const InspectReport report = cheap_checks(p.input(), {});
  EXPECT_TRUE(has(report, "single_column_leakage", "\"copy\" alone predicts \"label\"")) << all(report);
  EXPECT_FALSE(has(report, "single_column_leakage", "\"x\"")) << all(report);
  const json& leakage = report.sections["leakage"];
  ASSERT_FALSE(leakage.empty());
  EXPECT_EQ(leakage[0]["column"], "copy");
  EXPECT_NEAR(leakage[0]["auroc"].get<double>(), 1.0, 1e-9);
  for (const auto& l : leakage) {
    if (l["column"] == "x") {
      EXPECT_LT(l["auroc"].get<double>(), 0.8);
    }
  }
}

TEST(InspectChecks, SplitsReportDuplicatesOfTrainAndUnseenLabels) {
  Problem p;
  p.records.add_row({"0.5", "maybe", "same", "", "1", "s1", "maybe"}, "problem.csv:extra");
  p.split.valid.push_back(300);
  const InspectReport report = cheap_checks(p.input(), {});
  EXPECT_TRUE(has(report, "unseen_labels", "labels seen only in validation: \"maybe\"")) << all(report);
  EXPECT_TRUE(has(report, "leakage", "10 of 50 test rows have inputs identical to a training row")) << all(report);
  EXPECT_EQ(report.sections["splits"]["test"]["duplicates_of_train"], 10);
  EXPECT_TRUE(has(report, "new_categories", "\"copy\"")) << all(report);
}

TEST(InspectChecks, DriftIsFoundWhereTheDistributionMoves) {
  Records records({"x", "label"}, "drift");
  SplitIndices split;
  std::mt19937_64 engine(5);
  std::normal_distribution<double> normal;
  for (size_t i = 0; i < 600; ++i) {
    const double shift = i >= 400 ? 1.0 : 0.0;  // valid rows moved by one standard deviation
    records.add_row({std::to_string(normal(engine) + shift), i % 2 ? "a" : "b"});
    (i < 400 ? split.train : split.valid).push_back(i);
  }
  const InspectInput in{records, split, {"x"}, "label", {"a", "b"}, true};
  InspectReport report = cheap_checks(in, {});
  EXPECT_TRUE(has(report, "drift", "\"x\" in validation differs from training (ks")) << all(report);
  EXPECT_FALSE(has(report, "label_shift", "")) << all(report);
  // Above small_sample training rows the distance is used: Wasserstein normed, about 1.0 here.
  InspectOptions large;
  large.small_sample = 100;
  report = cheap_checks(in, large);
  EXPECT_TRUE(has(report, "drift", "(wasserstein")) << all(report);
}

TEST(InspectChecks, GroupsOnlyInTestStraddlingAndDominant) {
  const Problem p;
  InspectOptions options;
  options.groups = {"speaker"};
  const InspectReport report = cheap_checks(p.input(), options);
  EXPECT_TRUE(has(report, "group_only_held_out", "present only in test: \"s5\" (40 rows)")) << all(report);
  EXPECT_TRUE(has(report, "group_straddles", "5 of 6 groups of \"speaker\"")) << all(report);
  EXPECT_TRUE(has(report, "group_dominates", "\"s5\" of \"speaker\" is 80.0% of the test rows")) << all(report);
  const json& counts = report.sections["groups"]["speaker"]["counts"];
  ASSERT_EQ(counts.size(), 6u);
  EXPECT_EQ(counts[5]["group"], "s5");
  EXPECT_EQ(counts[5]["train"], 0);
}

TEST(InspectChecks, MissingGroupColumnIsAClearError) {
  const Problem p;
  InspectOptions options;
  options.groups = {"spekaer"};
  EXPECT_THROW_WITH(cheap_checks(p.input(), options), OptionError, "inspect.groups", "problem.csv", "\"spekaer\"",
                    "speaker");
}

// A numeric regression target: the one-feature models are scored by concordance (the AUROC of a 0/1
// target); a column that is the target rescaled leaks, noise and a weak bucket do not. A target that
// is neither a class nor a number gets a note.
TEST(InspectChecks, RegressionTargetLeakageByConcordance) {
  Records records({"leak", "noise", "bucket", "speaker", "y"}, "regression.csv");
  std::mt19937_64 engine(5);
  std::normal_distribution<double> normal;
  for (size_t i = 0; i < 300; ++i) {
    const double y = normal(engine);
    records.add_row({std::to_string(3.0 * y + 1.0), std::to_string(normal(engine)),
                     y + normal(engine) * 2.0 > 0 ? "high" : "low", "s" + std::to_string(i % 5), std::to_string(y)});
  }
  SplitIndices split;
  for (size_t i = 0; i < 300; ++i) (i < 200 ? split.train : i < 250 ? split.valid : split.test).push_back(i);
  const InspectInput in{records, split, {"leak", "noise", "bucket"}, "y", {}, false};
  const InspectReport report = cheap_checks(in, {});
  EXPECT_TRUE(has(report, "single_column_leakage", "\"leak\" alone predicts \"y\" with validation concordance index"))
      << all(report);
  EXPECT_FALSE(has(report, "single_column_leakage", "\"noise\"")) << all(report);
  EXPECT_FALSE(has(report, "single_column_leakage", "\"bucket\"")) << all(report);
  const json& leakage = report.sections["leakage"];
  ASSERT_EQ(leakage.size(), 3u);
  EXPECT_EQ(leakage[0]["column"], "leak");
  EXPECT_EQ(leakage[0]["measure"], "concordance");
  EXPECT_GT(leakage[0]["auroc"].get<double>(), 0.95);
  EXPECT_LT(leakage[2]["auroc"].get<double>(), 0.65);  // noise: about one half
  EXPECT_FALSE(has(report, "imbalance", "")) << all(report);

  const InspectInput words{records, split, {"leak"}, "speaker", {}, false};
  EXPECT_TRUE(has(cheap_checks(words, {}), "single_column_leakage", "neither")) << all(cheap_checks(words, {}));
}

TEST(InspectChecks, OptionsFromTheRecipeSection) {
  const InspectOptions o = InspectOptions::from_json({{"groups", {"speaker"}}, {"folds", 3}}, 7);
  EXPECT_EQ(o.groups, std::vector<std::string>{"speaker"});
  EXPECT_EQ(o.folds, 3);
  EXPECT_EQ(o.seed, 7u);
  EXPECT_THROW_WITH(InspectOptions::from_json({{"folds", 1}}, 0), OptionError, "inspect.folds");
  EXPECT_THROW_WITH(InspectOptions::from_json({{"group", {"a"}}}, 0), OptionError, "inspect", "groups");
}

}  // namespace inspect_test
