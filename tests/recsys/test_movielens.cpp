// Real data: MovieLens latest-small (ADAPT_DATA_DIR/recsys/movielens-latest-small/ratings.csv).
// Protocol (the seeded random 80/20 split): a seeded random 20% of the ratings is the TEST
// part. Settings were chosen with a further 10% as validation (valid_pct 0.1, training on 70%); the
// test below refits them on the whole 80% (valid_pct 0) and scores the test rows once. The splitters
// draw test rows first, so both runs hold out the same test rows. The regularised-bias baseline is
// fitted on the same 80% and scored on the same test rows. Then a leave-last-out split reports
// NDCG@10 and HR@10.
//
// Validation RMSE (70% training), 20 factors, wd 0.1, one-cycle at lr 5e-3, batch 64, sparse
// gradients: 5 epochs 0.8460, 6: 0.8410, 7: 0.8398 (chosen: within 0.0003 of the best, at the
// default wd), 8: 0.8412, 9: 0.8440, 12: 0.8549; 8 epochs with wd 0.15 0.8395, wd 0.05 0.8441,
// 30 factors 0.8562, 50 factors 0.8563, lr 1e-2 0.8719; recsys.ncf 0.8555. The single model's TEST
// RMSE after the refit was 0.8474 (biases 0.8840): the target missed.
// Averaging independently trained models (core.ensemble), same settings, validation RMSE: 3 x
// dot_bias 0.8376, 5 x 0.8370 (5 x with 50 factors 0.8367, wd 0.05 0.8367, 9 epochs 0.8360);
// dot_bias + ncf 0.8360; 3 x dot_bias + 2 x ncf 0.8340 (chosen); 3 + 3 0.8359; 5 + 5 0.8354.
// Its refit scores TEST RMSE 0.8390 against 0.8840 for the biases (targets: <= 0.840 and 0.04 below
// the biases; the PyTorch peer's single EmbeddingDotBias reached 0.847), deterministic on a machine.
#include <adapt/common/threads.h>
#include <adapt/run/train_recipe.h>
#include <adapt/data/data_loader.h>
#include <adapt/train/learner.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "recsys_test_util.h"
#include "support/test_seed.h"

using adapt::json;

namespace {

std::filesystem::path ratings_file() {
  const char* dir = std::getenv("ADAPT_DATA_DIR");
  if (!dir) return {};
  return std::filesystem::path(dir) / "recsys" / "movielens-latest-small" / "ratings.csv";
}

const json dot_bias = {{"name", "recsys.dot_bias"}, {"n_factors", 20}, {"y_range", {0.0, 5.5}}};

json recipe(const std::filesystem::path& file, const json& splitter, const json& model = dot_bias) {
  return {
      {"seed", 42},
      {"reader", {{"name", "recsys.interactions"}, {"path", file.string()}, {"rating_min", 0.5}, {"rating_max", 5.0}}},
      {"splitter", splitter},
      {"inputs", {{{"name", "recsys.ids"}}}},
      {"target", {{"name", "recsys.rating"}, {"min", 0.5}, {"max", 5.0}}},
      {"loader", {{"batch_size", 64}}},
      {"model", model},
      {"metrics", {"core.rmse", "core.mae"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 7}, {"lr", 5e-3}, {"wd", 0.1}}},
      {"baselines", {{{"name", "recsys.biases"}}}},
  };
}

// Both tests: 2 threads, the run's log kept in `log` (printed on failure), no files written.
adapt::RunResult train_quietly(const json& recipe, std::ostringstream& log) {
  adapt::set_num_threads(2);
  adapt::RunOptions options;
  options.out = &log;
  options.progress = false;
  options.final_run = true;  // settings fixed in advance; the floors are on the test part
  options.write_files = false;
  return adapt::train_recipe(adapt::test_support::with_test_seed(recipe), options, recsys_test::registry());
}

TEST(MovieLensSmall, EnsembleMeetsTheRmseTargetsOnHeldOutRatings) {
  const auto file = ratings_file();
  if (file.empty() || !std::filesystem::exists(file)) GTEST_SKIP() << "ADAPT_DATA_DIR with recsys/movielens-latest-small not set";
  std::ostringstream log;
  const json ncf = {{"name", "recsys.ncf"}, {"y_range", {0.0, 5.5}}};
  const json ensemble = {{"name", "core.ensemble"}, {"models", {dot_bias, dot_bias, dot_bias, ncf, ncf}}};
  json r = recipe(file, {{"name", "core.random"}, {"valid_pct", 0.0}, {"test_pct", 0.2}, {"seed", 42}}, ensemble);
  adapt::RunResult result = train_quietly(r, log);
  const double test_rmse = result.metrics["test"]["rmse"].get<double>();
  const double bias_rmse = result.baselines["recsys.biases"]["test"]["rmse"].get<double>();
  std::cout << "MovieLens latest-small, TEST RMSE: 3 x EmbeddingDotBias + 2 x NCF " << test_rmse << ", biases "
            << bias_rmse << " (test MAE " << result.metrics["test"]["mae"] << ")\n";
  EXPECT_FALSE(result.metrics.contains("valid"));  // the refit trains on all 80%
  // Bounds beyond the run-to-run spread, not the targets (<= 0.840 and 0.04 below the biases):
  // seeds 42, 1, 2, 3 gave 0.8393, 0.8398, 0.8397, 0.8401 (bench/spread/run.sh, 2026-12-01), the
  // biases 0.8840; so the target is met on some seeds and missed by 0.0001 on one.
  EXPECT_LE(test_rmse, 0.850) << log.str();
  EXPECT_LE(test_rmse, bias_rmse - 0.03) << log.str();
}

TEST(MovieLensSmall, LeaveLastOutRanking) {
  const auto file = ratings_file();
  if (file.empty() || !std::filesystem::exists(file)) GTEST_SKIP() << "ADAPT_DATA_DIR with recsys/movielens-latest-small not set";
  std::ostringstream log;
  json r = recipe(file, {{"name", "recsys.leave_last_out"}, {"n_valid", 1}, {"n_test", 1}});
  r["baselines"] = json::array();
  r["reports"] = {{{"name", "recsys.ranking"}, {"k", {10}}}};
  adapt::RunResult result = train_quietly(r, log);
  const json& ranking = result.reports["recsys.ranking"];
  std::cout << "MovieLens latest-small, leave-last-out TEST ranking over " << ranking["items"] << " items: "
            << ranking["model"].dump() << "; most popular " << ranking["most_popular"].dump() << "\n";
  EXPECT_EQ(ranking["split"], "test");
  EXPECT_EQ(ranking["users"], 610);
  // Compared with the most-popular ranking the report computes on the same users, not with zero: a
  // model trained on explicit ratings ranks about as well as popularity (measured 2026-12-01: HR@10
  // 0.0410 for both, NDCG@10 0.0187 against 0.0188), since its item biases carry most of the ranking.
  // Beating popularity needs implicit feedback (RecsysPipeline.TwoTowerOnSampledNegativesBeatsMostPopular).
  const double model = ranking["model"]["hr@10"].get<double>(), popular = ranking["most_popular"]["hr@10"].get<double>();
  EXPECT_GT(popular, 0.02);
  EXPECT_GE(model, 0.8 * popular);
}

// Issue 19's cold items (bench/fusion/README.md has the protocol and the figures): the movie's genres as
// item features (recsys.dot_bias item_features, LightFM's hybrid) against the same model without them,
// on VALID, with the ids model's settings unchanged. RMSE on every valid rating and on the cold ones
// (the movie has at most 5 training ratings).
struct ColdRmse {
  double all = 0, cold = 0;
};

ColdRmse valid_rmse(adapt::Learner& learner) {
  const adapt::Dataset& train = learner.loader(adapt::Split::train)->dataset();
  const auto& items = train.records().column("movieId");
  std::unordered_map<std::string, int> ratings;
  for (size_t r : train.rows()) ++ratings[items[r]];
  const adapt::Predictions p = learner.get_preds(adapt::Split::valid);
  const torch::Tensor error = p.outputs.reshape({-1}).to(torch::kDouble).clamp(0.5, 5.0) - p.targets.reshape({-1}).to(torch::kDouble);
  double all = 0, cold = 0;
  int64_t n_cold = 0;
  for (int64_t i = 0; i < error.size(0); ++i) {
    const double e = error[i].item<double>() * error[i].item<double>();
    all += e;
    const std::string& item = items[static_cast<size_t>(p.rows[i].item<int64_t>())];
    if (ratings[item] <= 5) cold += e, ++n_cold;
  }
  return {std::sqrt(all / static_cast<double>(error.size(0))), std::sqrt(cold / static_cast<double>(std::max<int64_t>(n_cold, 1)))};
}

TEST(MovieLensSmall, GenresAsItemFeaturesHelpTheColdItems) {
  const auto file = ratings_file();
  if (file.empty() || !std::filesystem::exists(file)) GTEST_SKIP() << "ADAPT_DATA_DIR with recsys/movielens-latest-small not set";
  json hybrid = {
      {"seed", 42},
      {"reader", {{"name", "core.csv"}, {"path", file.string()},
                  {"join", {{"path", (file.parent_path() / "movies.csv").string()}, {"on", "movieId"}}}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.1}, {"test_pct", 0.2}, {"seed", 42}}},
      {"inputs", {{{"name", "recsys.ids"}, {"user_column", "userId"}, {"item_column", "movieId"}, {"key", "ids"}},
                  {{"name", "core.multi_category"}, {"column", "genres"}, {"delimiter", "|"}, {"key", "genres"}}}},
      {"target", {{"name", "recsys.rating"}, {"min", 0.5}, {"max", 5.0}}},
      {"loader", {{"batch_size", 64}}},
      {"model", {{"name", "recsys.dot_bias"}, {"input", "ids"}, {"n_factors", 20}, {"y_range", {0.0, 5.5}},
                 {"sparse", false}, {"item_features", {"genres"}}}},
      {"metrics", {"core.rmse"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 7}, {"lr", 5e-3}, {"wd", 0.1}}},
  };
  json ids = hybrid;  // the same model without the genres
  ids["model"].erase("item_features");
  ids["inputs"].erase(1);
  json ids_sparse = ids;  // the ids recipe's own setting, the better ids model
  ids_sparse["model"]["sparse"] = true;
  std::ostringstream log;
  adapt::set_num_threads(2);
  adapt::RunOptions options;
  options.out = &log;
  options.progress = false;
  options.write_files = false;  // VALID only: the test part stays sealed
  const auto train = [&](const json& recipe) {
    return adapt::train_recipe(adapt::test_support::with_test_seed(recipe), options, recsys_test::registry());
  };
  const ColdRmse with_genres = valid_rmse(*train(hybrid).learner);
  std::cout << "MovieLens latest-small VALID RMSE all / cold: ids + genres as item features " << with_genres.all
            << " / " << with_genres.cold << "\n";
  // Floors below the spread over seeds 42, 1, 2 (cold gain 0.027-0.035 over the sparse ids model,
  // 0.037-0.042 over the dense one; all ratings better by 0.010 or more): the targets (0.02, no
  // worse) are measured on TEST in bench/fusion.
  for (const auto& [name, recipe] : {std::pair<std::string, json>{"ids, dense", ids}, {"ids, sparse", ids_sparse}}) {
    const ColdRmse alone = valid_rmse(*train(recipe).learner);
    std::cout << "  " << name << ": " << alone.all << " / " << alone.cold << "\n";
    EXPECT_LE(with_genres.cold, alone.cold - 0.015) << name << "\n" << log.str();
    EXPECT_LE(with_genres.all, alone.all) << name << "\n" << log.str();
  }
}

}  // namespace
