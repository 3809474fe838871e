// End to end through train_recipe: the demo at a small size (ratings, hashed items, baselines,
// ranking report, export and reload), and implicit feedback with a two-tower model on sampled
// negatives against the most-popular baseline.
#include <adapt/common/threads.h>
#include <adapt/export/export.h>
#include <adapt/run/train_recipe.h>
#include <adapt/train/learner.h>
#include <torch/torch.h>

#include <fstream>
#include <set>
#include <sstream>

#include "recsys_test_util.h"

using adapt::json;

namespace {

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RecsysPipeline, SmallDemoTrainsBeatsBiasesExportsAndPredictsColdStart) {
  adapt::set_num_threads(2);
  auto& registry = recsys_test::registry();
  auto dir = recsys_test::temp_dir("demo");
  auto demo = registry.demo({{"name", "recsys.demo"}, {"n_interactions", 80000}, {"n_users", 600},
                             {"head_items", 1000}, {"epochs", 4}, {"item_buckets", 16384}},
                            "demo");
  demo->generate(dir / "data", 7);
  demo->generate(dir / "again", 7);
  ASSERT_EQ(slurp(dir / "data" / "ratings.csv"), slurp(dir / "again" / "ratings.csv"));  // deterministic

  json recipe = demo->recipe(dir / "data");
  recipe["reports"][0]["max_users"] = 100;
  std::ostringstream log;
  adapt::RunOptions options;
  options.out_dir = dir / "run";
  options.out = &log;
  options.progress = false;
  adapt::RunResult result = adapt::train_recipe(recipe, options, registry);
  const double rmse = result.metrics["valid"]["rmse"].get<double>();
  const double bias_rmse = result.baselines["recsys.biases"]["valid"]["rmse"].get<double>();
  std::cout << "demo (small): valid RMSE " << rmse << ", biases " << bias_rmse << "\n";
  EXPECT_LT(rmse, bias_rmse - 0.02) << log.str();
  const json& ranking = result.reports["recsys.ranking"];
  EXPECT_EQ(ranking["users"], 100);
  std::cout << "demo (small) ranking on valid: model " << ranking["model"].dump() << ", most popular "
            << ranking["most_popular"].dump() << "\n";
  // Compared with the most-popular ranking the report computes on the same users, not with zero. The
  // network is trained for RMSE, and popularity ranks far better here (measured 2026-12-01: HR@10 0.15
  // against 0.58, NDCG@10 0.023 against 0.126); recsys/README.md says so. Should this start failing,
  // the network has learned to rank: update the README and assert the opposite.
  EXPECT_GT(ranking["most_popular"]["hr@10"].get<double>(), ranking["model"]["hr@10"].get<double>());
  EXPECT_GT(ranking["model"]["hr@10"].get<double>(), 0.0);
  EXPECT_NE(log.str().find("recsys.ranking on valid"), std::string::npos) << log.str();
  // report.html's top losses name each item's nearest items by the model's learned item vectors.
  const json explained = json::parse(slurp(dir / "run" / "top_losses_explained.json"));
  ASSERT_FALSE(explained.empty()) << log.str();
  EXPECT_NE(explained[0]["shown"].get<std::string>().find("nearest items"), std::string::npos) << explained[0].dump();
  EXPECT_NE(slurp(dir / "run" / "report.html").find("nearest items"), std::string::npos);

  // Reloaded export predicts exactly what the trained learner predicts, unseen ids included.
  ASSERT_TRUE(std::filesystem::exists(result.model_file));
  adapt::Predictor predictor = adapt::Predictor::load(result.model_file, registry);
  const auto inputs = demo->predict_inputs(dir / "data");
  ASSERT_EQ(inputs.size(), 3u);
  {  // The demo's inputs are not rated pairs, so none of them can be a training row.
    std::ifstream ratings(dir / "data" / "ratings.csv");
    std::set<std::string> rated;
    for (std::string line; std::getline(ratings, line);) rated.insert(line.substr(0, line.find(',', line.find(',') + 1)));
    for (const auto& input : inputs) EXPECT_EQ(rated.count(input), 0u) << input;
  }
  std::vector<json> predictions = predictor.predict_inputs(inputs);
  ASSERT_EQ(predictions.size(), 3u);
  for (const auto& p : predictions) {
    const double rating = p["rating"].get<double>();
    EXPECT_GE(rating, 0.5) << p.dump();
    EXPECT_LE(rating, 5.0) << p.dump();
  }
  adapt::Records raw({"user", "item"}, "probe");
  for (const auto& input : inputs) raw.add_row({input.substr(0, input.find(',')), input.substr(input.find(',') + 1)});
  EXPECT_TRUE(torch::equal(predictor.outputs(raw), result.learner->outputs(raw)));
  // A user the training split never had is flagged (users are a vocabulary; hashed items never are).
  adapt::Records cold({"user", "item"}, "cold");
  cold.add_row({"no_such_user", raw.at(0, "item")});
  const json flagged = predictor.predict(cold).at(0);
  EXPECT_EQ(flagged.value("unseen", ""), "user \"no_such_user\" unseen in training") << flagged.dump();
  EXPECT_EQ(flagged.value("in_domain", true), false) << flagged.dump();
  std::filesystem::remove_all(dir);
}

TEST(RecsysPipeline, TwoTowerOnSampledNegativesBeatsMostPopular) {
  adapt::set_num_threads(2);
  // 8 taste groups of 40 items; each user clicks 20 items of their group, popular ones more often,
  // and a few random items elsewhere. Held out: each user's latest click.
  auto dir = recsys_test::temp_dir("implicit");
  {
    adapt::Rng rng(11);
    std::ofstream out(dir / "clicks.csv");
    out << "user,item,timestamp\n";
    int64_t t = 0;
    for (int u = 0; u < 400; ++u) {
      const int group = u % 8;
      std::set<int> items;
      while (items.size() < 20) items.insert(group * 40 + static_cast<int>(40 * std::pow(rng.uniform(), 1.5)));
      while (items.size() < 23) items.insert(static_cast<int>(rng.integer(0, 320)));
      std::vector<int> order(items.begin(), items.end());
      for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.integer(0, i + 1)]);
      for (int item : order) out << "user" << u << ",item" << item << "," << t++ << "\n";
    }
  }
  json recipe = {
      {"seed", 3},
      {"reader", {{"name", "recsys.interactions"}, {"path", (dir / "clicks.csv").string()}, {"implicit", true}}},
      {"splitter", {{"name", "recsys.leave_last_out"}, {"n_valid", 1}}},
      {"inputs", {{{"name", "recsys.ids"}}}},
      {"target", {{"name", "recsys.implicit"}}},
      {"transforms", {{{"name", "recsys.negative_sampling"}, {"n_negatives", 4}, {"distribution", "popularity"}}}},
      {"loader", {{"batch_size", 256}}},
      {"model", {{"name", "recsys.two_tower"}, {"n_factors", 32}, {"layers", {64}}, {"out_dim", 32}}},
      // No AUROC: the held-out rows are positives only (negatives are sampled on train), so ranking
      // against the other items is the measure.
      {"train", {{"schedule", "one_cycle"}, {"epochs", 20}, {"lr", 2e-2}, {"wd", 0.0}}},
      {"reports", {{{"name", "recsys.ranking"}, {"k", {10}}}}},
  };
  std::ostringstream log;
  adapt::RunOptions options;
  options.out = &log;
  options.progress = false;
  options.write_files = false;
  adapt::RunResult result = adapt::train_recipe(recipe, options, recsys_test::registry());
  const json& r = result.reports["recsys.ranking"];
  const double model_hr = r["model"]["hr@10"].get<double>(), popular_hr = r["most_popular"]["hr@10"].get<double>();
  std::cout << "two tower: HR@10 " << model_hr << " (most popular " << popular_hr << "), NDCG@10 "
            << r["model"]["ndcg@10"] << "\n";
  EXPECT_EQ(r["users"], 400);
  // A perfect taste-group model reaches about 0.45 here (measured 0.48 on a replica of this data).
  EXPECT_GT(model_hr, 0.35) << log.str();
  EXPECT_GT(model_hr, 4 * popular_hr) << log.str();
  std::filesystem::remove_all(dir);
}

}  // namespace
