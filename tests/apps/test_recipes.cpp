// The recipes a new user starts from: every file in recipes/ validates (`adapt train --dry-run`), the
// small ones run on the shared real data, a demo writes a recipe that runs again, and a run's
// run.json runs again from any directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace recipes_test {

using namespace cli_test;
using nlohmann::json;

fs::path recipes_dir() { return fs::path(ADAPT_TEST_SOURCE_DIR) / "recipes"; }

// The recipe's text with its data folder (../../shared/data, relative to recipes/) replaced by
// ADAPT_DATA_DIR, written beside the other scratch files.
fs::path with_data_dir(const std::string& name, const std::string& data) {
  const std::string data_dir = fs::absolute(data).lexically_normal().string();
  std::string text = slurp(recipes_dir() / name);
  const std::string shared = "../../shared/data";
  for (size_t at = text.find(shared); at != std::string::npos; at = text.find(shared, at + data_dir.size()))
    text.replace(at, shared.size(), data_dir);
  const fs::path file = scratch() / ("real-" + name);
  std::ofstream(file) << text;
  return file;
}

json read_json(const fs::path& file) { return json::parse(slurp(file)); }

}  // namespace recipes_test

using namespace recipes_test;

// Every recipe validates; with the shared data (ADAPT_DATA_DIR) each one also reads its data and builds
// its model in a dry run, which prints the model's summary.
TEST(Recipes, EveryRecipeValidatesAndBuildsItsModel) {
  const char* data = std::getenv("ADAPT_DATA_DIR");
  const bool have_data = data && *data && fs::exists(fs::path(data) / "tabular/uci-adult/adult.data");
  size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(recipes_dir())) {
    if (entry.path().extension() != ".json") continue;
    const std::string name = entry.path().filename().string();
    fs::path recipe = entry.path();
    if (have_data) {
      recipe = with_data_dir(name, data);
      if (name == "audio-fsdd.json") {  // its CSV is written by the script beside it
        const fs::path csv = scratch() / "fsdd.csv";
        const std::string script = (recipes_dir() / "audio-fsdd-csv.sh").string() + " '" +
                                   fs::absolute(data).string() + "/audio/free-spoken-digit-dataset/recordings' '" +
                                   csv.string() + "' >/dev/null";
        ASSERT_EQ(std::system(script.c_str()), 0) << script;
        std::string text = slurp(recipe);
        text.replace(text.find("../runs/fsdd/fsdd.csv"), 21, csv.string());
        std::ofstream(recipe) << text;
      }
    }
    Result r = adapt_cli("train --dry-run '" + recipe.string() + "'");
    EXPECT_TRUE(contains(r.out, recipe.string() + ": valid")) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "  model: ")) << r.out;
    if (have_data) {
      EXPECT_EQ(r.code, 0) << name << "\n" << r.out << r.err;
      EXPECT_TRUE(contains(r.out, "model output on one batch: [")) << r.out;
      EXPECT_TRUE(contains(r.out, "trainable")) << r.out;
    }
    ++checked;
  }
  EXPECT_GE(checked, 5u) << "one recipe per plugin: audio, text, protein, tabular, recsys";
  // The docs point at recipes that exist.
  for (const char* doc : {"README.md", "docs/cli.md", "docs/recipes.md"}) {
    const std::string text = slurp(fs::path(ADAPT_TEST_SOURCE_DIR) / doc);
    for (size_t at = text.find("recipes/"); at != std::string::npos; at = text.find("recipes/", at + 1)) {
      const size_t end = text.find_first_of(" `)\n", at);
      const std::string named = text.substr(at, end - at);
      if (named.size() > 13 && named.compare(named.size() - 5, 5, ".json") == 0) {
        EXPECT_TRUE(fs::exists(fs::path(ADAPT_TEST_SOURCE_DIR) / named)) << doc << " names " << named;
      }
    }
  }
}

TEST(Recipes, DryRunNamesTheBadOption) {
  const fs::path recipe = scratch() / "typo.json";
  std::ofstream(recipe) << "// a comment\n"
                           R"({"reader": {"name": "core.csv", "path": "x.csv"},
    "inputs": [{"name": "core.regression", "columns": ["a"]}], "target": {"name": "core.category", "column": "b"},
    "model": {"name": "core.mlp", "layerz": [4]}, "train": {"epochs": 1}})";
  Result r = adapt_cli("train --dry-run '" + recipe.string() + "'");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "model.layerz")) << r.err;
  EXPECT_FALSE(contains(r.out, ": valid")) << r.out;
  EXPECT_FALSE(fs::exists(fs::path("runs") / "typo")) << "a dry run trains nothing";
}

// A demo run with a relative --out: its recipe.json (paths relative to the run) runs again from
// another directory after the run directory moved, and so does its run.json (absolute paths).
TEST(Recipes, DemoRecipeAndRunRecordRunAgainFromAnywhere) {
  const fs::path home = scratch() / "demo-home";
  fs::create_directories(home);
  Result demo = adapt_cli("demo core.demo --out demos", "env -C '" + home.string() + "'");
  ASSERT_EQ(demo.code, 0) << demo.err;
  const fs::path run = home / "demos" / "core.demo";
  const json record = read_json(run / "run.json");
  const std::string data_path = record["recipe"]["reader"]["path"];
  EXPECT_TRUE(fs::path(data_path).is_absolute()) << data_path;

  const json recipe = read_json(run / "recipe.json");
  EXPECT_EQ(recipe["reader"]["path"], "data/data.csv");
  EXPECT_TRUE(recipe["description"].is_string());

  const fs::path moved = scratch() / "moved-demo";
  fs::remove_all(moved);
  fs::copy(run, moved, fs::copy_options::recursive);
  Result again = adapt_cli(
      "train '" + (moved / "recipe.json").string() + "' --out '" + (moved / "again").string() + "'", "env -C /");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(read_json(moved / "again" / "run.json")["recipe"]["reader"]["path"],
            (moved / "data" / "data.csv").string());

  Result rerun = adapt_cli(
      "train '" + (run / "run.json").string() + "' --out '" + (scratch() / "rerun").string() + "' --force", "env -C /");
  ASSERT_EQ(rerun.code, 0) << rerun.err;
  const json second = read_json(scratch() / "rerun" / "run.json");
  EXPECT_EQ(second["recipe"], record["recipe"]) << "run.json's recipe, run again, records the same recipe";
  EXPECT_EQ(second["data"]["hash"], record["data"]["hash"]);
}

// Issue 21: a tuning run (one with a validation part) of every real-data recipe, one epoch each,
// leaves no test score in what it prints, in metrics.json, run.json or predictions.csv; a final run
// then scores the test part, and the ledger counts each final scoring. About a minute alone on 2 cores.
TEST(Recipes, TuningRunsOfEveryRealDataRecipeKeepTheTestPartSealed) {
  const char* data = std::getenv("ADAPT_DATA_DIR");
  if (!data || !*data || !fs::exists(fs::path(data) / "audio/free-spoken-digit-dataset/recordings"))
    GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run the recipes on real data";
  // FSDD's CSV as recipes/audio-fsdd-csv.sh writes it, recordings 5-9 of each speaker marked valid.
  const fs::path fsdd_csv = scratch() / "fsdd.csv";
  ASSERT_EQ(std::system(("'" + (recipes_dir() / "audio-fsdd-csv.sh").string() + "' '" + data +
                         "/audio/free-spoken-digit-dataset/recordings' '" + fsdd_csv.string() + "' > /dev/null")
                            .c_str()),
            0);
  {
    std::istringstream in(slurp(fsdd_csv));
    std::string csv, line;
    while (std::getline(in, line)) {
      const std::string name = fs::path(line.substr(0, line.find(','))).stem().string();
      const int index = std::atoi(name.substr(name.rfind('_') + 1).c_str());
      if (index >= 5 && index <= 9 && line.size() > 6 && line.substr(line.size() - 6) == ",train")
        line = line.substr(0, line.size() - 6) + ",valid";
      csv += line + "\n";
    }
    std::ofstream(fsdd_csv) << csv;
  }
  // Each recipe with a validation part and one epoch.
  const std::vector<std::pair<std::string, std::function<void(json&)>>> tuning = {
      {"audio-fsdd.json",
       [&](json& r) {
         r["reader"]["path"] = fsdd_csv.string();
         r["splitter"]["valid_values"] = {"valid"};
       }},
      {"protein-amp.json",
       [](json& r) {
         r["splitter"]["train_values"] = {"tr"};
         r["splitter"]["valid_values"] = {"eval"};
       }},
      {"recsys-movielens.json", [](json& r) { r["splitter"]["test_pct"] = 0.2; }},
      {"tabular-adult.json", [](json&) {}},  // as shipped: 20% of adult.data is valid
      {"text-sms.json", [](json& r) { r["splitter"]["valid_pct"] = 0.1; }},
  };
  for (const auto& [name, make_tuning] : tuning) {
    SCOPED_TRACE(name);
    json recipe = json::parse(slurp(with_data_dir(name, data)), nullptr, true, /*ignore_comments=*/true);
    make_tuning(recipe);
    recipe["train"]["epochs"] = 1;
    const fs::path file = scratch() / ("tuning-" + name), run = scratch() / ("tuning-" + name + ".run");
    std::ofstream(file) << recipe.dump(2);
    Result r = adapt_cli("--json train '" + file.string() + "' --out '" + run.string() + "' --force");
    ASSERT_EQ(r.code, 0) << r.err;
    const json printed = json::parse(r.out);
    EXPECT_FALSE(printed["metrics"].contains("test")) << r.out;
    for (const auto& [baseline, parts] : printed["baselines"].items()) EXPECT_FALSE(parts.contains("test")) << baseline;
    EXPECT_EQ(printed["test_part"]["sealed"], true) << r.out;
    const json metrics = read_json(run / "metrics.json");
    EXPECT_FALSE(metrics["metrics"].contains("test"));
    for (const auto& [baseline, parts] : metrics["baselines"].items()) EXPECT_FALSE(parts.contains("test")) << baseline;
    const std::string record = slurp(run / "run.json"), predictions = slurp(run / "predictions.csv");
    EXPECT_EQ(record.find("\"test\": {"), std::string::npos);
    EXPECT_EQ(predictions.find(",test,"), std::string::npos);
  }
  // A final run scores the test part: AMP end to end through the CLI (reader, splitter, blocks, model,
  // baseline, export; one epoch already separates the balanced classes well, the full recipe's ten
  // reach 0.91 in tests/protein/test_protein_real_data.cpp), then SMS twice: the ledger counts both.
  {
    Result r = adapt_cli("--json train '" + (scratch() / "tuning-protein-amp.json").string() + "' --final --out '" +
                         (scratch() / "final-amp").string() + "' --force");
    ASSERT_EQ(r.code, 0) << r.err;
    const json result = json::parse(r.out);
    EXPECT_GE(result["metrics"]["test"]["accuracy"].get<double>(), 0.7) << r.out;
    EXPECT_TRUE(result["baselines"].contains("protein.composition_logistic")) << r.out;
    EXPECT_EQ(result["test_part"]["scored"], 1) << r.out;
  }
  for (int scoring = 1; scoring <= 2; ++scoring) {
    const fs::path run = scratch() / ("final-sms-" + std::to_string(scoring));
    Result r = adapt_cli("--json train '" + (scratch() / "tuning-text-sms.json").string() + "' --final --out '" +
                         run.string() + "' --force");
    ASSERT_EQ(r.code, 0) << r.err;
    const json printed = json::parse(r.out);
    EXPECT_TRUE(printed["metrics"].contains("test")) << r.out;
    EXPECT_EQ(printed["test_part"]["scored"], scoring) << r.out;
  }
}
