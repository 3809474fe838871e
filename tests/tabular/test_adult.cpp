// Real data: UCI Adult (adult.data to train, adult.test to test). Skips without ADAPT_DATA_DIR.
// Settings were chosen on a validation split carved from adult.data (reader valid_pct); the test
// file is only evaluated once, after training.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/export/export.h"
#include "adapt/metrics/metrics.h"
#include "adapt/run/train_recipe.h"
#include "tabular_test_util.h"
#include "support/test_seed.h"

namespace adapt {
namespace {

using tabular_test::registry;

std::filesystem::path adult_dir() {
  const char* root = std::getenv("ADAPT_DATA_DIR");
  if (!root || !*root) return {};
  const auto dir = std::filesystem::path(root) / "tabular/uci-adult";
  return std::filesystem::exists(dir / "adult.data") && std::filesystem::exists(dir / "adult.test") ? dir
                                                                                                      : std::filesystem::path();
}

json adult_recipe(const std::filesystem::path& dir) {
  const json columns = {"age",          "workclass",    "fnlwgt",         "education",    "education-num",
                        "marital-status", "occupation", "relationship",   "race",         "sex",
                        "capital-gain", "capital-loss", "hours-per-week", "native-country", "income"};
  return {
      {"seed", 42},
      {"reader",
       {{"name", "tabular.csv"},
        {"path", (dir / "adult.data").string()},
        {"test_path", (dir / "adult.test").string()},
        {"header", false},
        {"column_names", columns},
        {"comment", "|"},
        {"strip_suffix", "."},
        {"valid_pct", 0.2}}},
      {"splitter", {{"name", "core.by_column"}, {"column", "split"}}},
      {"inputs",
       {{{"name", "tabular.table"},
         // Chosen on the validation rows (bench/tabular/README.md): the exact capital-gain/loss values
         // matter (trees split on them), so they are categories as well as log-scaled numbers.
         {"cat_names", {"workclass", "education", "marital-status", "occupation", "relationship", "race", "sex",
                        "native-country", "capital-gain", "capital-loss"}},
         {"cont_names", {"age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"}},
         {"log_names", {"fnlwgt", "capital-gain", "capital-loss"}}}}},
      {"target", {{"name", "core.category"}, {"column", "income"}}},
      {"loader", {{"batch_size", 256}}},
      {"model", {{"name", "tabular.model"}, {"layers", {200, 100}}}},
      {"metrics", {"core.accuracy"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 5}, {"lr", 1e-2}, {"wd", 0.01}}},
      {"baselines", {{{"name", "tabular.linear"}}, {{"name", "tabular.xgboost"}}}},
      {"reports", {{{"name", "tabular.permutation_importance"}, {"n_repeats", 2}}}},
  };
}

TEST(TabularAdult, NetworkBeatsTargetOnTheOfficialTestSplit) {
  const auto dir = adult_dir();
  if (dir.empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run the UCI Adult test";
  set_num_threads(2);
  std::ostringstream out;
  RunOptions options;
  options.out_dir = tabular_test::temp_dir("adult");
  options.out = &out;
  options.progress = false;
  options.final_run = true;  // settings fixed in advance; the floors are on the test part
  const RunResult result = train_recipe(test_support::with_test_seed(adult_recipe(dir)), options, registry());
  std::cout << out.str();
  const double network = result.metrics.at("test").at("accuracy").get<double>();
  const double valid = result.metrics.at("valid").at("accuracy").get<double>();
  const double logistic = result.baselines.at("tabular.linear").at("test").at("accuracy").get<double>();
  const double xgboost = result.baselines.at("tabular.xgboost").at("test").at("accuracy").get<double>();
  const char* winner = network >= xgboost && network >= logistic ? "the network"
                       : xgboost >= logistic                     ? "XGBoost"
                                                                 : "logistic regression";
  std::cout << "UCI Adult test accuracy (16,281 rows): network " << network << " (valid " << valid
            << "), XGBoost " << xgboost << ", logistic " << logistic << "; best: " << winner << "\n";
  // A floor below the run-to-run spread (bench/spread/run.sh, 2026-12-01): seeds 42, 1, 2, 3 gave
  // 0.8712, 0.8730, 0.8741, 0.8733; XGBoost 0.8715 and logistic 0.8711 are deterministic.
  EXPECT_GE(network, 0.860);
  EXPECT_GT(xgboost, 0.85);
  EXPECT_GT(logistic, 0.83);

  // Out of domain (issue 22, reported): the test rows against the same rows with every input column
  // shuffled on its own (each value plausible, the rows not). Threshold calibrated on valid.
  const Predictor model = Predictor::load(result.model_file, registry());
  const Records all = registry().reader(model.recipe().at("reader"), "reader")->read();
  std::vector<size_t> test_rows;
  for (size_t r = 0; r < all.size(); ++r)
    if (all.at(r, "split") == "test") test_rows.push_back(r);
  const Records test = all.subset(test_rows);
  Records shuffled(test.column_names(), "shuffled");
  std::mt19937_64 rng(5);
  std::vector<std::vector<size_t>> order(test.column_names().size(), std::vector<size_t>(test.size()));
  for (auto& o : order) std::iota(o.begin(), o.end(), size_t{0}), std::shuffle(o.begin(), o.end(), rng);
  for (size_t r = 0; r < test.size(); ++r) {
    std::vector<std::string> row;
    for (size_t c = 0; c < order.size(); ++c) row.push_back(test.at(order[c][r], c));
    shuffled.add_row(std::move(row));
  }
  auto scores = [&](const Records& records) { return model.domain_scores(model.outputs_and_features(records)); };
  const torch::Tensor in = scores(test), out_of = scores(shuffled);
  const double threshold = model.monitor().out_of_domain.threshold();
  const double auroc = binary_auroc(-torch::cat({in, out_of}).to(torch::kFloat),
                                    torch::cat({torch::ones({in.size(0)}), torch::zeros({out_of.size(0)})}));
  std::cout << "UCI Adult out of domain: test rows accepted " << (in <= threshold).to(torch::kDouble).mean().item<double>()
            << " (target 0.95 +- 0.03); AUROC against shuffled-column rows " << auroc << ", of which flagged "
            << (out_of > threshold).to(torch::kDouble).mean().item<double>() << "\n";
  EXPECT_GT(auroc, 0.5);  // reported, not a target: shuffled rows must at least look less usual
}

}  // namespace
}  // namespace adapt
