// The monitor an export keeps: every prediction carries an out-of-domain score and flag (rows far
// from the training data flagged, the stated share of in-domain rows accepted), and detect_drift
// stays quiet on data like the training data and finds a shifted column.
#include <gtest/gtest.h>

#include <sstream>

#include "adapt/data/csv.h"
#include "adapt/export/detect_drift.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"

namespace monitor_export_test {

using namespace adapt;
using namespace adapt::testing;
namespace fs = std::filesystem;

RunResult train_in(const fs::path& dir, const json& recipe) {
  static std::ostringstream out;
  RunOptions options;
  options.out_dir = dir / "run";
  options.out = &out;
  options.progress = false;
  return train_recipe(recipe, options, core_test_registry());
}

// Rings rows with x1 and x2 multiplied by `scale` and x3 moved by `shift`.
Records rings(size_t n, uint64_t seed, double scale = 1.0, double shift = 0.0) {
  Records raw = parse_csv(rings_csv(n, seed), "rings_" + std::to_string(seed));
  Records out(raw.column_names(), raw.source());
  for (size_t r = 0; r < raw.size(); ++r) {
    std::vector<std::string> row;
    for (size_t c = 0; c < raw.column_names().size(); ++c) {
      const std::string& v = raw.at(r, c);
      row.push_back(c < 2 ? std::to_string(std::stod(v) * scale) : c == 2 ? std::to_string(std::stod(v) + shift) : v);
    }
    out.add_row(std::move(row));
  }
  return out;
}

double in_domain_share(const std::vector<json>& predictions) {
  double n = 0;
  for (const auto& p : predictions) n += p.at("in_domain").get<bool>();
  return n / static_cast<double>(predictions.size());
}

TEST(MonitorExport, PredictionsCarryOutOfDomainFieldsAndFarRowsAreFlagged) {
  TempDir dir("monitor_ood");
  const RunResult run = train_in(dir.path, rings_recipe(dir.path, 1500, 4));
  const json summary = run.reports.at("out_of_domain").at("out_of_domain");
  EXPECT_EQ(summary["calibrated_on"], "valid");
  EXPECT_EQ(summary["components"], json({"mahalanobis", "energy"}));

  const Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  ASSERT_FALSE(predictor.monitor().out_of_domain.empty());
  const std::vector<json> fresh = predictor.predict(rings(2000, 77));
  ASSERT_TRUE(fresh.front().contains("ood_score")) << fresh.front();
  EXPECT_NEAR(in_domain_share(fresh), 0.95, 0.04);  // new rows of the same distribution
  EXPECT_LT(in_domain_share(predictor.predict(rings(500, 78, /*scale=*/6.0))), 0.1);
  // predict(), its columns (adapt predict's CSV) and decode(outputs_and_features) agree; the columns keep
  // the out-of-domain fields beside the decoding, in_domain at most the threshold.
  const Records few = rings(20, 79);
  const std::vector<json> rows = predictor.predict(few);
  const PredictionColumns columns = predictor.predict_columns(few);
  const PredictionColumns decoded = predictor.decode(predictor.outputs_and_features(few));
  ASSERT_EQ(columns.size(), rows.size());
  ASSERT_EQ(columns.ood_score.size(), rows.size());
  const double threshold = predictor.monitor().out_of_domain.threshold();
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(columns.row(i), rows[i]) << i;
    EXPECT_EQ(decoded.row(i), rows[i]) << i;
    EXPECT_FALSE(columns.decoded[i].contains("ood_score")) << columns.decoded[i];
    EXPECT_EQ(columns.ood_score[i], rows[i].at("ood_score").get<double>()) << i;
    EXPECT_EQ(columns.in_domain[i] != 0, columns.ood_score[i] <= threshold) << i;
    EXPECT_EQ(columns.unseen[i], "") << i;
  }
}

TEST(MonitorExport, DriftIsQuietOnLikeDataAndFindsAShiftedColumn) {
  TempDir dir("monitor_drift");
  const RunResult run = train_in(dir.path, rings_recipe(dir.path, 1500, 3));
  const Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  std::ostringstream out;
  DetectDriftOptions o;
  o.out = &out;
  o.out_dir = dir.path / "drift";
  const json quiet = detect_drift(predictor, rings(800, 90), o);
  EXPECT_FALSE(quiet["drift"].get<bool>()) << quiet.dump(2);
  EXPECT_NE(out.str().find("no drift found"), std::string::npos) << out.str();
  const json moved = detect_drift(predictor, rings(800, 91, 1.0, /*shift=*/1.0), o);
  EXPECT_TRUE(moved["drift"].get<bool>()) << moved.dump(2);
  bool x3 = false;
  for (const auto& c : moved["columns"]) x3 |= c["column"] == "x3" && c["drift"].get<bool>();
  EXPECT_TRUE(x3) << moved["columns"].dump();
  EXPECT_TRUE(fs::exists(o.out_dir / "drift.json"));
  EXPECT_TRUE(fs::exists(o.out_dir / "drift.svg"));

  Records other({"x1", "x2", "label"}, "other.csv");
  other.add_row({"1", "2", "ring"});
  EXPECT_THROW_WITH(detect_drift(predictor, other, o), DataError, "other.csv has no column \"x3\"");
}

TEST(MonitorExport, OutOfDomainFalseLeavesPredictionsAsTheyWereAndOptionsAreChecked) {
  TempDir dir("monitor_off");
  json recipe = rings_recipe(dir.path, 600, 1);
  recipe["out_of_domain"] = false;
  const RunResult run = train_in(dir.path, recipe);
  const Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  EXPECT_TRUE(predictor.monitor().out_of_domain.empty());
  EXPECT_FALSE(predictor.predict(rings(5, 3)).front().contains("ood_score"));
  EXPECT_FALSE(predictor.monitor().drift.empty());  // drift still has its reference

  recipe["out_of_domain"] = {{"accept_share", 1.5}};
  EXPECT_THROW_WITH(train_in(dir.path / "bad", recipe), OptionError, "out_of_domain.accept_share");
}

}  // namespace monitor_export_test
