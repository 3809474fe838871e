// The recipes a new user starts from: every file in recipes/ validates (`adapt train --dry-run`), the
// small ones run on the shared real data, a demo writes a recipe that runs again, and a run's
// run.json runs again from any directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

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

// The smallest real-data recipe runs end to end through the CLI (data path pointed at ADAPT_DATA_DIR;
// one epoch instead of ten: each takes about a minute on 2 loaded cores): reader, splitter, blocks,
// model, baseline, export.
TEST(Recipes, ProteinRecipeRunsOnTheRealData) {
  const char* data = std::getenv("ADAPT_DATA_DIR");
  if (!data || !*data || !fs::exists(fs::path(data) / "protein/amp-scanner-v2/AMP.tr.fa"))
    GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run the recipes on real data";
  const fs::path recipe = with_data_dir("protein-amp.json", data), run = scratch() / "amp-run";
  std::string text = slurp(recipe);
  const std::string ten = "\"epochs\": 10";
  ASSERT_NE(text.find(ten), std::string::npos) << text;
  text.replace(text.find(ten), ten.size(), "\"epochs\": 1");
  std::ofstream(recipe) << text;
  Result r = adapt_cli("--json train '" + recipe.string() + "' --out '" + run.string() + "' --force");
  ASSERT_EQ(r.code, 0) << r.err;
  const json result = json::parse(r.out);
  // Balanced classes: 0.5 is chance. One epoch already separates them well; the full recipe's ten
  // reach 0.91 (tests/protein/test_protein_real_data.cpp).
  EXPECT_GE(result["metrics"]["test"]["accuracy"].get<double>(), 0.7) << r.out;
  EXPECT_TRUE(result["baselines"].contains("protein.composition_logistic")) << r.out;
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
