// The audit on real data (ADAPT_DATA_DIR; skipped without it): label issues recovered from seeded
// label flips in SMS Spam, the duplicates SMS Spam ships with, Rating named as too good to be true in
// Women's Clothing Reviews, and FSDD's held-out speaker. Floors sit below the measured values (in the
// comments and bench/inspect/README.md).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/plugin/plugin_host.h"
#include "adapt/run/inspect_recipe.h"
#include "support/temp_dir.h"

namespace inspect_real_data {
using namespace adapt;
namespace fs = std::filesystem;

fs::path data_path(const std::string& relative) {
  const char* root = std::getenv("ADAPT_DATA_DIR");
  if (root == nullptr || *root == '\0') return {};
  const fs::path path = fs::path(root) / relative;
  return fs::exists(path) ? path : fs::path();
}

Registry& registry() {
  static Registry* r = [] {
    PluginHostOptions options;
    options.plugin_paths = {ADAPT_TEST_BINARY_DIR "/lib/adapt/plugins"};
    configure_global_plugins(options);
    return &global_registry();
  }();
  return *r;
}

// One thread: the label-issue search fits small models, and two threads on a busy 2-core machine spin
// against each other (SMS took 114 s with two under load, 20 s with one).
InspectResult inspect(const json& recipe, std::ostringstream& log, const fs::path& out_dir = {}) {
  set_num_threads(1);
  InspectRunOptions options;
  options.out = &log;
  options.out_dir = out_dir;
  const auto start = std::chrono::steady_clock::now();
  InspectResult result = inspect_recipe(recipe, options, registry());
  std::cout << "inspect took "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n";
  print_inspect_report(result.report, std::cout);
  return result;
}

bool has_warning(const InspectReport& report, const std::string& check, const std::string& fragment) {
  for (const auto& f : report.findings)
    if (f.check == check && f.severity == Severity::warning && f.message.find(fragment) != std::string::npos)
      return true;
  return false;
}

// Copies `from` to `to`, handing each line to `flip` with probability 0.05 (seeded); `flip` changes
// its label and returns true, or returns false for a line without one. Returns the flipped lines (1-based).
std::set<size_t> copy_with_flips(const fs::path& from, const fs::path& to,
                                 const std::function<bool(std::string&)>& flip) {
  std::ifstream in(from);
  std::ofstream out(to);
  std::mt19937_64 engine(2026);
  std::bernoulli_distribution draw(0.05);
  std::set<size_t> flipped;
  size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (draw(engine) && flip(line)) flipped.insert(number);
    out << line << "\n";
  }
  return flipped;
}

// Precision and recall of the label issues against the flipped lines that landed in the training split;
// `line_of` maps a record's origin to its line in the flipped file (0 for another file).
struct Recovery {
  size_t flipped = 0, flagged = 0;
  double precision = 0.0, recall = 0.0;
};
Recovery recovery(const InspectResult& result, const std::set<size_t>& flipped_lines,
                  const std::function<size_t(const std::string&)>& line_of) {
  std::set<size_t> truth, found;
  for (size_t r : result.split.train)
    if (const size_t l = line_of(result.records->origin(r)); flipped_lines.count(l)) truth.insert(l);
  for (const auto& issue : result.report.sections["label_issues"]["issues"]) found.insert(line_of(issue["origin"]));
  size_t hits = 0;
  for (size_t l : found) hits += truth.count(l);
  Recovery r{truth.size(), found.size()};
  r.precision = found.empty() ? 0.0 : double(hits) / double(found.size());
  r.recall = truth.empty() ? 0.0 : double(hits) / double(truth.size());
  return r;
}

json sms_recipe(const fs::path& file, bool drop_duplicates) {
  return {{"seed", 42},
          {"reader",
           {{"name", "text.csv"}, {"path", file.string()}, {"delimiter", "tab"}, {"header", false},
            {"column_names", {"label", "text"}}, {"quoting", false}, {"drop_duplicates", drop_duplicates}}},
          {"splitter", {{"name", "core.stratified"}, {"column", "label"}, {"valid_pct", 0.2}}},
          {"inputs", {{{"name", "text.tokens"}, {"vocab_size", 4000}, {"max_tokens", 200}}}},
          {"target", {{"name", "core.category"}, {"column", "label"}}},
          {"model", {{"name", "text.awd_lstm_classifier"}}},
          {"train", {{"epochs", 1}}},
          {"baselines", {{{"name", "text.tfidf_logistic"}, {"C", 1.0}}}}};
}

// SMS Spam with 5% of the labels flipped (seeded, every split alike, so about 5% of the training
// rows): the label issues among the training rows against the flips that landed there.
TEST(InspectRealData, SmsSpamFlippedLabelsAreFound) {
  const fs::path file = data_path("text/sms-spam-collection/SMSSpamCollection");
  if (file.empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run this test";
  test_support::TempDir dir("inspect_sms_flips");
  const auto flipped = copy_with_flips(file, dir.path / "sms.tsv", [](std::string& line) {
    line = (line.rfind("ham\t", 0) == 0 ? "spam" : "ham") + line.substr(line.find('\t'));
    return true;
  });
  std::ostringstream log;
  const InspectResult result = inspect(sms_recipe(dir.path / "sms.tsv", true), log, dir.path / "report");
  const Recovery r = recovery(result, flipped, [](const std::string& origin) {
    return std::stoul(origin.substr(origin.rfind(':') + 1));
  });
  std::cout << "SMS Spam, 5% flips: " << r.flipped << " flipped training rows, " << r.flagged << " flagged; precision "
            << r.precision << ", recall " << r.recall << "\n";
  // Measured 0.915 / 0.852 (229 flipped training rows, 213 flagged); the issue's targets are 0.90 / 0.70.
  EXPECT_GE(r.precision, 0.85);
  EXPECT_GE(r.recall, 0.75);
  EXPECT_TRUE(fs::exists(dir.path / "report" / "label_issues.csv"));
}

// As shipped: 403 rows repeat an earlier message with its label, and some land on both sides of the split.
TEST(InspectRealData, SmsSpamDuplicatesAndStraddlers) {
  const fs::path file = data_path("text/sms-spam-collection/SMSSpamCollection");
  if (file.empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run this test";
  json recipe = sms_recipe(file, false);
  recipe["inspect"] = {{"label_issues", false}};
  std::ostringstream log;
  const InspectReport report = inspect(recipe, log).report;
  EXPECT_EQ(report.sections["integrity"]["duplicate_rows"], 403);
  EXPECT_TRUE(has_warning(report, "duplicate_rows", "403 of 5574 rows"));
  EXPECT_GT(report.sections["splits"]["valid"]["duplicates_of_train"].get<int64_t>(), 0);
  EXPECT_TRUE(has_warning(report, "leakage", "validation rows have inputs identical to a training row"));
}

// UCI Adult with 5% of adult.data's labels flipped (seeded): precision and recall are reported (the
// issue asks for the figures), with floors far below them.
TEST(InspectRealData, AdultFlippedLabelsAreReported) {
  const fs::path dir = data_path("tabular/uci-adult");
  if (dir.empty()) GTEST_SKIP() << "ADAPT_DATA_DIR with tabular/uci-adult not set";
  test_support::TempDir tmp("inspect_adult");
  const auto flipped = copy_with_flips(dir / "adult.data", tmp.path / "adult.data", [](std::string& line) {
    const auto comma = line.rfind(',');
    if (comma == std::string::npos) return false;
    line = line.substr(0, comma) + (line.find("<=50K", comma) != std::string::npos ? ", >50K" : ", <=50K");
    return true;
  });
  const json columns = {"age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
                        "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week",
                        "native-country", "income"};
  const json recipe = {
      {"seed", 42},
      {"reader", {{"name", "tabular.csv"}, {"path", (tmp.path / "adult.data").string()},
                  {"test_path", (dir / "adult.test").string()}, {"header", false}, {"column_names", columns},
                  {"comment", "|"}, {"strip_suffix", "."}, {"valid_pct", 0.2}}},
      {"splitter", {{"name", "core.by_column"}, {"column", "split"}}},
      {"inputs", {{{"name", "tabular.table"},
                   {"cat_names", {"workclass", "education", "marital-status", "occupation", "relationship", "race",
                                  "sex", "native-country"}},
                   {"cont_names", {"age", "fnlwgt", "education-num", "capital-gain", "capital-loss",
                                   "hours-per-week"}}}}},
      {"target", {{"name", "core.category"}, {"column", "income"}}},
      {"model", {{"name", "tabular.model"}}},
      {"train", {{"epochs", 1}}},
      {"baselines", {{{"name", "tabular.linear"}}}},
      {"inspect", {{"max_label_issues", 100000}}}};
  std::ostringstream log;
  const InspectResult result = inspect(recipe, log);
  const std::string source = (tmp.path / "adult.data").string();
  const Recovery r = recovery(result, flipped, [&](const std::string& origin) -> size_t {
    if (origin.rfind(source + ":", 0) != 0) return 0;  // a row of adult.test
    return std::stoul(origin.substr(source.size() + 1));
  });
  std::cout << "UCI Adult, 5% flips: " << r.flipped << " flipped training rows, " << r.flagged << " flagged; precision "
            << r.precision << ", recall " << r.recall << "\n";
  ASSERT_GT(r.flipped, 0u);
  EXPECT_GE(r.precision, 0.2);
  EXPECT_GE(r.recall, 0.1);
}

// Rating (1-5) kept as an input to predict Recommended IND: named as too good to be true.
TEST(InspectRealData, WomensClothingRatingIsTooGoodToBeTrue) {
  const fs::path csv = data_path("multimodal/womens-clothing-reviews/Womens Clothing E-Commerce Reviews.csv");
  if (csv.empty()) GTEST_SKIP() << "ADAPT_DATA_DIR with multimodal/womens-clothing-reviews not set";
  const json recipe = {
      {"seed", 42},
      {"reader", {{"name", "core.csv"}, {"path", csv.string()}}},
      {"splitter", {{"name", "core.stratified"}, {"column", "Recommended IND"}, {"valid_pct", 0.2}}},
      {"inputs", {{{"name", "tabular.table"},
                   {"cat_names", {"Division Name", "Department Name", "Class Name"}},
                   {"cont_names", {"Age", "Positive Feedback Count", "Rating"}}}}},
      {"target", {{"name", "core.category"}, {"column", "Recommended IND"}}},
      {"model", {{"name", "tabular.model"}}},
      {"train", {{"epochs", 1}}},
      {"baselines", {{{"name", "tabular.linear"}}}},
      {"inspect", {{"label_issues", false}}}};
  std::ostringstream log;
  const InspectReport report = inspect(recipe, log).report;
  EXPECT_TRUE(has_warning(report, "single_column_leakage", "\"Rating\" alone predicts \"Recommended IND\""));
  const json& leakage = report.sections["leakage"];
  ASSERT_FALSE(leakage.empty());
  EXPECT_EQ(leakage[0]["column"], "Rating");
  // Measured 0.97 (the whole file's Rating gives AUROC 0.972); no other column comes near.
  EXPECT_GE(leakage[0]["auroc"].get<double>(), 0.96);
  EXPECT_LT(leakage[1]["auroc"].get<double>(), 0.8);
}

// FSDD with "groups": ["speaker"] and the speaker-held-out split: yweweler is present only in test.
TEST(InspectRealData, FsddHeldOutSpeakerIsOnlyInTest) {
  const fs::path recordings = data_path("audio/free-spoken-digit-dataset/recordings");
  if (recordings.empty()) GTEST_SKIP() << "ADAPT_DATA_DIR with audio/free-spoken-digit-dataset not set";
  test_support::TempDir dir("inspect_fsdd");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(recordings))
    if (entry.path().extension() == ".wav") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::ofstream csv(dir.path / "fsdd.csv");
  csv << "path,label,speaker,split\n";
  for (const auto& f : files) {
    const std::string stem = f.stem().string();  // digit_speaker_index
    const auto a = stem.find('_'), b = stem.rfind('_');
    const std::string speaker = stem.substr(a + 1, b - a - 1);
    const int index = std::stoi(stem.substr(b + 1));
    csv << f.string() << "," << stem.substr(0, a) << "," << speaker << ","
        << (speaker == "yweweler" ? "test" : index >= 45 ? "valid" : "train") << "\n";
  }
  csv.close();
  const json recipe = {
      {"seed", 42},
      {"reader", {{"name", "audio.csv"}, {"path", (dir.path / "fsdd.csv").string()}}},
      {"splitter", {{"name", "core.by_column"}, {"column", "split"}}},
      {"inputs", {{{"name", "audio.mel"}, {"sample_rate", 8000}, {"duration", 1.0}, {"n_fft", 256},
                   {"hop_length", 80}, {"n_mels", 64}}}},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"model", {{"name", "audio.cnn"}}},
      {"train", {{"epochs", 1}}},
      {"baselines", {{{"name", "audio.band_stats"}}}},
      {"inspect", {{"groups", {"speaker"}}, {"label_issues", false}}}};
  std::ostringstream log;
  const InspectReport report = inspect(recipe, log).report;
  EXPECT_TRUE(has_warning(report, "group_only_held_out", "present only in test: \"yweweler\" (500 rows)"));
  const json& speakers = report.sections["groups"]["speaker"];
  EXPECT_EQ(speakers["groups"], 6);
  for (const auto& row : speakers["counts"])
    if (row["group"] == "yweweler") {
      EXPECT_EQ(row["train"], 0);
      EXPECT_EQ(row["test"], 500);
    }
}

}  // namespace inspect_real_data
