// DriftReference::compare: data like the reference raises no alarm, a shifted column, shifted
// features, an excess of out-of-domain inputs or another label mix does, and each is named.
#include <gtest/gtest.h>

#include <random>

#include "adapt/monitor/drift_reference.h"

#include "archive_round_trip.h"

namespace drift_reference_test {

using namespace adapt;

// x ~ N(shift, 1), colour in {red, green, blue}, and a free-text note (left out of the tests).
Records table(size_t n, uint64_t seed, double shift = 0.0, const char* common = "red") {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(shift, 1.0);
  Records r({"x", "colour", "note"}, "table_" + std::to_string(seed));
  const std::vector<std::string> colours = {common, "green", "blue", common};
  for (size_t i = 0; i < n; ++i)
    r.add_row({std::to_string(normal(rng)), colours[rng() % 4], "note " + std::to_string(rng())});
  return r;
}

std::vector<size_t> all_rows(const Records& r) {
  std::vector<size_t> rows(r.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  return rows;
}

DriftReference reference() {
  const Records train = table(3000, 1);
  DriftReference ref;
  ref.set_columns(train, all_rows(train), {"x", "colour", "note"}, 0);
  torch::manual_seed(1);
  ref.set_features(torch::randn({800, 6}), 0);
  ref.set_labels({{"a", 500}, {"b", 300}});
  ref.set_expected_out_of_domain(0.05, 800);
  return ref;
}

bool drifted(const json& report, const std::string& test) {
  for (const auto& t : report["tests"])
    if (t["test"] == test) return t["drift"].get<bool>();
  for (const auto& c : report["columns"])
    if (c["column"] == test) return c["drift"].get<bool>();
  ADD_FAILURE() << test << " missing from " << report.dump();
  return false;
}

TEST(DriftReference, DataLikeTheReferenceRaisesNoAlarm) {
  const DriftReference ref = reference();
  EXPECT_EQ(ref.columns(), (std::vector<std::string>{"x", "colour"}));  // free text has no distribution
  const Records now = table(600, 2);
  DriftSample s{&now, torch::randn({600, 6}), {{"a", 370}, {"b", 230}}, 31, 600};
  const json report = ref.compare(s);
  EXPECT_FALSE(report["drift"].get<bool>()) << report.dump(2);
  EXPECT_EQ(report["tests"].size(), 3u);
  EXPECT_EQ(report["columns"].size(), 2u);
}

TEST(DriftReference, AHandfulOfRowsLikeTheReferenceRaisesNoAlarm) {
  // A distance on three rows is noise (it found drift in every column); a test weighs their count.
  const DriftReference ref = reference();
  for (uint64_t seed = 10; seed < 15; ++seed) {
    const Records few = table(3, seed);
    const json report = ref.compare({&few, {}, {}, 0, 0});
    EXPECT_FALSE(report["drift"].get<bool>()) << report.dump(2);
    EXPECT_EQ(report["columns"][0]["method"], "ks") << report.dump(2);
    EXPECT_EQ(report["columns"][1]["method"], "chi_squared") << report.dump(2);
  }
}

TEST(DriftReference, EachKindOfDriftIsFoundAndNamed) {
  const DriftReference ref = reference();
  const Records shifted = table(600, 3, /*shift=*/0.8);
  DriftSample s{&shifted, torch::randn({600, 6}) + 0.6, {{"a", 150}, {"b", 450}}, 90, 600};
  const json report = ref.compare(s);
  EXPECT_TRUE(report["drift"].get<bool>());
  EXPECT_TRUE(drifted(report, "x"));
  EXPECT_FALSE(drifted(report, "colour"));
  EXPECT_TRUE(drifted(report, "features")) << report["tests"].dump();
  EXPECT_TRUE(drifted(report, "out_of_domain_share"));
  EXPECT_TRUE(drifted(report, "predicted_labels"));
  EXPECT_NE(report["findings"].dump().find("column \\\"x\\\" drifted"), std::string::npos) << report["findings"];

  const Records other_mix = table(600, 4, 0.0, "blue");
  EXPECT_TRUE(drifted(ref.compare({&other_mix, {}, {}, 0, 0}), "colour"));
}

TEST(DriftReference, MissingColumnsAreNamed) {
  const DriftReference ref = reference();
  Records wrong({"y", "colour"}, "new.csv");
  wrong.add_row({"1", "red"});
  try {
    ref.compare({&wrong, {}, {}, 0, 0});
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("new.csv has no column \"x\""), std::string::npos) << e.what();
  }
}

TEST(DriftReference, StateAndArchiveRoundTrip) {
  const DriftReference ref = reference();
  torch::serialize::InputArchive in;
  monitor_test::archive_round_trip([&](torch::serialize::OutputArchive& out) { ref.write(out); }, in);
  const DriftReference loaded = DriftReference::load(ref.state(), in, "test");
  const Records now = table(400, 5, 0.3);
  torch::manual_seed(9);
  const DriftSample s{&now, torch::randn({400, 6}), {{"a", 250}, {"b", 150}}, 30, 400};
  EXPECT_EQ(loaded.compare(s).dump(), ref.compare(s).dump());
}

}  // namespace drift_reference_test
