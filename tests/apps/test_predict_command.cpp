// `adapt predict --out FILE.csv` with a real plugin's export: the recsys plugin's ids block knows
// which ids training never saw, with or without an out-of-domain scorer in the export.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "adapt/data/csv.h"
#include "cli_runner.h"

namespace predict_command_test {

using namespace cli_test;
using nlohmann::json;

// 12 users rating 30 items (a rating from the user's and the item's number), a recsys.dot_bias recipe
// for one epoch; `out_of_domain` as given. Returns the trained export's path.
fs::path train_ratings_model(const fs::path& dir, const json& out_of_domain) {
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "ratings.csv");
    csv << "user,item,rating\n";
    for (int u = 0; u < 12; ++u)
      for (int i = 0; i < 30; ++i)
        if ((u + i) % 3 != 0) csv << "u" << u << ",i" << i << "," << 1 + (u + i) % 5 << "\n";
  }
  std::ofstream(dir / "recipe.json") << json{
      {"seed", 1},
      {"reader", {{"name", "recsys.interactions"}, {"path", (dir / "ratings.csv").string()}, {"rating_min", 1},
                  {"rating_max", 5}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
      {"inputs", {{{"name", "recsys.ids"}}}},
      {"target", {{"name", "recsys.rating"}, {"min", 1}, {"max", 5}}},
      {"loader", {{"batch_size", 32}, {"workers", 0}}},
      {"model", {{"name", "recsys.dot_bias"}, {"n_factors", 4}, {"y_range", {0.5, 5.5}}}},
      {"train", {{"epochs", 1}, {"lr", 1e-2}}},
      {"out_of_domain", out_of_domain}};
  Result t = adapt_cli("train '" + (dir / "recipe.json").string() + "' --out '" + (dir / "run").string() + "'");
  EXPECT_EQ(t.code, 0) << t.out << t.err;
  return dir / "run" / "model.adapt";
}

// Predicts user,item pairs (a known pair, then a user training never saw) to a CSV file; its rows
// (and in `err`, when given, what the command wrote on stderr).
adapt::Records predict_pairs(const fs::path& dir, const fs::path& model, std::string* err = nullptr) {
  std::ofstream(dir / "pairs.csv") << "user,item\nu1,i2\nstranger,i2\n";
  Result p = adapt_cli("predict '" + model.string() + "' '" + (dir / "pairs.csv").string() + "' --out '" +
                       (dir / "preds.csv").string() + "'");
  EXPECT_EQ(p.code, 0) << p.err;
  if (err) *err = p.err;
  return adapt::parse_csv(slurp(dir / "preds.csv"), "preds.csv");
}

}  // namespace predict_command_test

using namespace predict_command_test;

TEST(PredictCommand, UnseenIdsAreOutOfDomainInTheCsvWithAndWithoutAScorer) {
  {  // With a scorer: the score and in_domain have their own columns, and leave the prediction's JSON.
    const fs::path dir = scratch() / "recsys-scored";
    const adapt::Records rows = predict_pairs(dir, train_ratings_model(dir, true));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_FALSE(rows.at(0, "ood_score").empty());
    EXPECT_EQ(rows.at(1, "in_domain"), "false");
    const json cold = json::parse(rows.at(1, "prediction"));
    EXPECT_FALSE(cold.contains("in_domain")) << cold.dump();
    EXPECT_FALSE(cold.contains("ood_score")) << cold.dump();
    EXPECT_EQ(cold.value("unseen", ""), "user \"stranger\" unseen in training") << cold.dump();
  }
  {  // Without one (out_of_domain false): the columns stay empty, and an unseen id's in_domain:false
     // stays inside the prediction, the only place that says it.
    const fs::path dir = scratch() / "recsys-unscored";
    const adapt::Records rows = predict_pairs(dir, train_ratings_model(dir, false));
    ASSERT_EQ(rows.size(), 2u);
    for (size_t r = 0; r < rows.size(); ++r) {
      EXPECT_EQ(rows.at(r, "ood_score"), "") << r;
      EXPECT_EQ(rows.at(r, "in_domain"), "") << r;
    }
    const json known = json::parse(rows.at(0, "prediction")), cold = json::parse(rows.at(1, "prediction"));
    EXPECT_TRUE(known.contains("rating")) << known.dump();
    EXPECT_FALSE(known.contains("in_domain")) << known.dump();
    EXPECT_EQ(cold.value("in_domain", true), false) << cold.dump();
    EXPECT_EQ(cold.value("unseen", ""), "user \"stranger\" unseen in training") << cold.dump();
  }
}

TEST(PredictCommand, TheSummaryCountsPredictionsAndThoseOutOfDomain) {
  for (const bool scored : {true, false}) {
    const fs::path dir = scratch() / (scored ? "recsys-summary-scored" : "recsys-summary-unscored");
    std::string err;
    const adapt::Records rows = predict_pairs(dir, train_ratings_model(dir, scored), &err);
    ASSERT_EQ(rows.size(), 2u);
    // The stranger is out of domain with or without a scorer; the known pair may score either way.
    size_t outside = 0;
    for (size_t r = 0; r < rows.size(); ++r)
      outside += scored ? rows.at(r, "in_domain") == "false"
                        : !json::parse(rows.at(r, "prediction")).value("in_domain", true);
    ASSERT_GE(outside, 1u);
    EXPECT_TRUE(contains(err, "adapt: 2 predictions written to " + (dir / "preds.csv").string() + " in ")) << err;
    EXPECT_TRUE(contains(err, " rows/s; the model loaded in ")) << err;
    const std::string share = outside == 1 ? "1 of them (50.00%) out of domain" : "2 of them (100.00%) out of domain";
    EXPECT_TRUE(contains(err, share)) << err;
  }
}
