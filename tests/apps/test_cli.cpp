// The `adapt` binary as a user runs it: exit codes (0 ok, 1 failure, 2 usage), messages without
// stack traces, and what `plugins list|info` print. Uses only the purpose-built test plugins.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdint>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <adapt/data/csv.h>

#include "cli_runner.h"

using namespace cli_test;

TEST(Cli, HelpAndVersionSucceed) {
  Result help = adapt_cli("--help");
  EXPECT_EQ(help.code, 0) << help.err;
  for (const char* word : {"plugins", "demo", "train", "predict", "--threads", "--plugin-path", "--json",
                           "--allow-insecure-plugins"}) {
    EXPECT_TRUE(contains(help.out, word)) << word << " missing from:\n" << help.out;
  }
  EXPECT_TRUE(contains(help.out, "RISK")) << help.out;  // the insecure flag says what it risks
  Result sub = adapt_cli("predict --help");
  EXPECT_EQ(sub.code, 0);
  EXPECT_TRUE(contains(sub.out, "MODEL")) << sub.out;
  Result version = adapt_cli("--version");
  EXPECT_EQ(version.code, 0);
  EXPECT_TRUE(contains(version.out, "adapt 0.")) << version.out;
}

TEST(Cli, UsageErrorsExitWith2) {
  for (const char* args : {"frobnicate", "plugins", "plugins info", "predict model.adapt", "--threads -1 plugins list",
                           "--threads many plugins list", "train"}) {
    Result r = adapt_cli(args);
    EXPECT_EQ(r.code, 2) << "adapt " << args << "\nstdout: " << r.out << "\nstderr: " << r.err;
  }
}

// A new user's first tries: `adapt` alone prints the help (exit 0); an unknown command names itself,
// lists the commands and prints the help (exit 2); a command missing its own command shows its help.
TEST(Cli, FirstTriesShowTheHelp) {
  Result bare = adapt_cli("");
  EXPECT_EQ(bare.code, 0) << bare.err;
  EXPECT_TRUE(contains(bare.out, "Subcommands:")) << bare.out;
  EXPECT_TRUE(contains(bare.out, "train")) << bare.out;

  Result unknown = adapt_cli("frobnicate");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_TRUE(contains(unknown.err, "unknown command \"frobnicate\"")) << unknown.err;
  EXPECT_TRUE(contains(unknown.err, "the commands are plugins, demo, train")) << unknown.err;
  EXPECT_TRUE(contains(unknown.err, "Subcommands:")) << unknown.err;

  Result plugins = adapt_cli("plugins");
  EXPECT_EQ(plugins.code, 2);
  EXPECT_TRUE(contains(plugins.err, "list")) << plugins.err;
  EXPECT_TRUE(contains(plugins.err, "scan")) << plugins.err;

  Result train = adapt_cli("train");
  EXPECT_EQ(train.code, 2);
  EXPECT_TRUE(contains(train.err, "RECIPE is required")) << train.err;
  EXPECT_TRUE(contains(train.err, "--resume")) << train.err;
}

TEST(Cli, FailuresExitWith1AndAMessageWithoutBacktrace) {
  Result r = adapt_cli("train /nonexistent/recipe.json");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("adapt: error: ", 0), 0u) << r.err;
  EXPECT_TRUE(contains(r.err, "/nonexistent/recipe.json")) << r.err;
  EXPECT_FALSE(contains(r.err, "Exception raised from")) << r.err;

  Result p = adapt_cli("predict /nonexistent/model.adapt some-input");
  EXPECT_EQ(p.code, 1) << p.err;
  EXPECT_TRUE(contains(p.err, "/nonexistent/model.adapt")) << p.err;

  Result d = adapt_cli("demo no-such-plugin --out '" + (scratch() / "runs").string() + "'");
  EXPECT_EQ(d.code, 1) << d.err;
  EXPECT_TRUE(contains(d.err, "no-such-plugin")) << d.err;
}

// train -> predict -> embed with core components only: a user's whole path through the CLI.
TEST(Cli, TrainPredictAndEmbedToNpyAndCsv) {
  const fs::path dir = scratch() / "embed";
  Result t = adapt_cli("train '" + write_points_recipe(dir).string() + "' --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(t.code, 0) << t.err;
  const fs::path model = dir / "run" / "model.adapt";
  ASSERT_TRUE(fs::exists(model)) << t.out;

  Result p = adapt_cli("predict '" + model.string() + "' 0.5,0.5 a=-1,b=-1");
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_TRUE(contains(p.out, "0.5,0.5\t")) << p.out;

  Result npy = adapt_cli("embed '" + model.string() + "' 0.5,0.5 -1,-1 0,1 --out '" + (dir / "e.npy").string() + "'");
  ASSERT_EQ(npy.code, 0) << npy.err;
  std::string bytes = slurp(dir / "e.npy");
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  size_t header = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header) % 64, 0u);
  EXPECT_TRUE(contains(bytes.substr(10, header), "'shape': (3, 6)")) << bytes.substr(10, header);
  EXPECT_EQ(bytes.size(), 10 + header + 3 * 6 * 4);

  Result csv = adapt_cli("embed '" + model.string() + "' 0.5,0.5 --out '" + (dir / "e.csv").string() + "'");
  ASSERT_EQ(csv.code, 0) << csv.err;
  std::string text = slurp(dir / "e.csv");
  EXPECT_EQ(text.rfind("id,e0,e1,e2,e3,e4,e5\n\"0.5,0.5\",", 0), 0u) << text;

  Result bad = adapt_cli("embed '" + model.string() + "' 0.5,0.5 --out '" + (dir / "e.txt").string() + "'");
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(contains(bad.err, ".csv or .npy")) << bad.err;
}

// explain: the strongest parts per input on stdout, every part as JSON, and the page.
TEST(Cli, ExplainPrintsThePartsAsTextJsonAndAPage) {
  const fs::path dir = scratch() / "explain";
  Result t = adapt_cli("train '" + write_points_recipe(dir).string() + "' --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(t.code, 0) << t.err;
  const std::string model = (dir / "run" / "model.adapt").string();
  const fs::path page = dir / "why.html";
  Result e = adapt_cli("explain '" + model + "' 0.5,0.5 a=-1,b=-1 --top 1 --html '" + page.string() + "'");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_TRUE(contains(e.out, "0.5,0.5: {")) << e.out;
  EXPECT_TRUE(contains(e.out, "explained: p(")) << e.out;
  EXPECT_TRUE(contains(e.out, "(1 weaker parts not shown; --top N)")) << e.out;
  const std::string html = slurp(page);
  EXPECT_TRUE(contains(html, "<h3>a=-1,b=-1</h3>")) << html.substr(0, 400);
  EXPECT_TRUE(contains(html, "a=-1</span>")) << html;

  Result j = adapt_cli("--json explain '" + model + "' 0.5,0.5");
  ASSERT_EQ(j.code, 0) << j.err;
  const nlohmann::json parsed = nlohmann::json::parse(j.out);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0]["input"], "0.5,0.5");
  ASSERT_EQ(parsed[0]["parts"].size(), 2u);
  EXPECT_EQ(parsed[0]["parts"][0]["part"], "a=0.5");
  EXPECT_TRUE(parsed[0]["parts"][1]["effect"].is_number());
}

// predict streams table files and stdin into --out, a bad row costing only itself; evaluate scores
// labelled data; sanity reports its runs; a tuning run leaves the test part sealed.
TEST(Cli, PredictStreamsToOutFilesEvaluateScoresAndSanityChecks) {
  const fs::path dir = scratch() / "stream";
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "points.csv");
    csv << "a,b,label\n";
    for (int i = 0; i < 400; ++i) {
      double a = (i % 20) / 10.0 - 1.0, b = (i / 20) / 10.0 - 1.0;
      csv << a << "," << b << "," << (a + b > 0 ? "up" : "down") << "\n";
    }
    std::ofstream recipe(dir / "recipe.json");
    recipe << nlohmann::json{
        {"seed", 1},
        {"reader", {{"name", "core.csv"}, {"path", (dir / "points.csv").string()}}},
        {"splitter", {{"name", "core.random"}, {"valid_pct", 0.25}, {"test_pct", 0.25}}},
        {"inputs", {{{"name", "core.regression"}, {"columns", {"a", "b"}}}}},
        {"target", {{"name", "core.category"}, {"column", "label"}}},
        {"loader", {{"batch_size", 16}, {"workers", 0}}},
        {"model", {{"name", "core.mlp"}, {"layers", {8}}}},
        {"train", {{"epochs", 3}, {"lr", 1e-2}}}};
    std::ofstream table(dir / "table.csv");
    table << "b,a\n";  // columns found by name, in any order
    for (int i = 0; i < 5000; ++i) {
      if (i == 2500) table << "bad,0.3\n";  // mid-file, in the second of three chunks
      if (i == 4000) table << "0.5\n";      // a field short
      table << (i % 7) / 7.0 << "," << (i % 5) / 5.0 << "\n";
    }
    table << "oops,0.1\n";
    std::ofstream(dir / "rows.jsonl") << "{\"a\": 0.5, \"b\": 0.5}\n{\"a\": -1, \"b\": -1}\n";
  }
  Result t = adapt_cli("train '" + (dir / "recipe.json").string() + "' --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_TRUE(contains(t.out, "test part sealed: 100 rows")) << t.out;
  EXPECT_FALSE(contains(slurp(dir / "run" / "metrics.json"), "\"test\"")) << slurp(dir / "run" / "metrics.json");
  const std::string model = (dir / "run" / "model.adapt").string();

  Result p = adapt_cli("predict '" + model + "' '" + (dir / "table.csv").string() + "' --out '" +
                       (dir / "preds.csv").string() + "'");
  EXPECT_EQ(p.code, 1) << p.err;  // two rows could not be predicted
  EXPECT_TRUE(contains(p.err, "3 of 5003 inputs could not be predicted")) << p.err;
  const std::string preds = slurp(dir / "preds.csv");
  EXPECT_EQ(std::count(preds.begin(), preds.end(), '\n'), 5004) << preds.substr(0, 300);
  EXPECT_EQ(preds.rfind("input,label,prediction,ood_score,in_domain,error\n", 0), 0u);
  EXPECT_TRUE(contains(preds, "table.csv:2502,,,")) << preds.substr(0, 300);
  EXPECT_TRUE(contains(preds, "table.csv:4003,,,,,")) << preds.substr(0, 300);
  EXPECT_TRUE(contains(preds, "table.csv:4003: expected 2 fields (one per column of the header) but found 1;"));
  EXPECT_TRUE(contains(preds, "table.csv:5004,,,")) << preds.substr(preds.size() - 300);
  // Chunks predicted on several threads at once: the same file, in input order, as one at a time.
  for (const char* threads : {"1", "3"}) {
    const fs::path out = dir / (std::string("preds-") + threads + ".csv");
    Result again = adapt_cli(std::string("--threads ") + threads + " predict '" + model + "' '" +
                             (dir / "table.csv").string() + "' --out '" + out.string() + "'");
    EXPECT_EQ(again.code, 1) << again.err;
    EXPECT_TRUE(slurp(out) == preds) << "--threads " << threads << " wrote another file than the default";
  }

  Result in = adapt_cli("predict '" + model + "' - --out '" + (dir / "preds.jsonl").string() + "' < '" +
                        (dir / "rows.jsonl").string() + "'");
  ASSERT_EQ(in.code, 0) << in.err;
  const std::string lines = slurp(dir / "preds.jsonl");
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2) << lines;
  EXPECT_TRUE(contains(lines, "\"input\":\"stdin:1\"")) << lines;
  // The same rows to CSV: its columns are the JSON line's prediction (less the out-of-domain fields,
  // which have their own columns), its label and its score.
  Result as_csv = adapt_cli("predict '" + model + "' - --out '" + (dir / "stdin.csv").string() + "' < '" +
                            (dir / "rows.jsonl").string() + "'");
  ASSERT_EQ(as_csv.code, 0) << as_csv.err;
  const adapt::Records table = adapt::parse_csv(slurp(dir / "stdin.csv"), "stdin.csv");
  std::istringstream json_lines(lines);
  std::string line;
  for (size_t row = 0; std::getline(json_lines, line); ++row) {
    ASSERT_LT(row, table.size());
    const nlohmann::json prediction = nlohmann::json::parse(line).at("prediction");
    nlohmann::json rest = prediction;
    rest.erase("ood_score");
    rest.erase("in_domain");
    EXPECT_EQ(table.at(row, "prediction"), rest.dump());
    EXPECT_EQ(table.at(row, "label"), prediction.at("label").get<std::string>());
    EXPECT_EQ(table.at(row, "ood_score"), prediction.at("ood_score").dump());
    EXPECT_EQ(table.at(row, "in_domain"), prediction.at("in_domain").dump());
  }
  // No rows: a header alone is a warning (exit 0); a first line without the model's columns and
  // nothing under it (a file that is no table) is an error naming the file, its line and a column.
  std::ofstream(dir / "header_only.csv") << "a,b\n";
  std::ofstream(dir / "not_a_table.csv") << "\x7f" "ELF\x02\x01 binary\n";
  Result none = adapt_cli("predict '" + model + "' '" + (dir / "header_only.csv").string() + "'");
  EXPECT_EQ(none.code, 0) << none.err;
  EXPECT_TRUE(contains(none.err, "warning: the inputs hold no rows: nothing was predicted")) << none.err;
  Result garbage = adapt_cli("predict '" + model + "' '" + (dir / "not_a_table.csv").string() + "'");
  EXPECT_EQ(garbage.code, 1) << garbage.err;
  EXPECT_TRUE(contains(garbage.err, "not_a_table.csv:1: the header has no column \"a\", \"b\"; the model reads a,b"))
      << garbage.err;
  // A file read by the model's reader into several records: each named by its row, file:line.
  std::ofstream(dir / "two.csv") << "b,a\n0.5,0.25\n-1,-1\n";
  Result embedded = adapt_cli("embed '" + model + "' '" + (dir / "two.csv").string() + "' --out '" +
                              (dir / "two_embedded.csv").string() + "'");
  ASSERT_EQ(embedded.code, 0) << embedded.err;
  const std::string vectors = slurp(dir / "two_embedded.csv");
  EXPECT_TRUE(contains(vectors, "two.csv:3,")) << vectors;
  // Table files are read by the model's columns, as predict reads them (not through the recipe's
  // reader, which for a protein model reads FASTA): a header without them is named, file:line, and
  // a header alone embeds nothing.
  std::ofstream(dir / "other_columns.csv") << "x,y\n1,2\n";
  Result other = adapt_cli("embed '" + model + "' '" + (dir / "other_columns.csv").string() + "' --out '" +
                           (dir / "other_embedded.csv").string() + "'");
  EXPECT_EQ(other.code, 1);
  EXPECT_TRUE(contains(other.err, "other_columns.csv:1: the header has no column \"a\", \"b\"")) << other.err;
  Result empty = adapt_cli("embed '" + model + "' '" + (dir / "header_only.csv").string() + "' --out '" +
                           (dir / "empty_embedded.csv").string() + "'");
  EXPECT_EQ(empty.code, 1);
  EXPECT_TRUE(contains(empty.err, "the inputs hold no rows")) << empty.err;
  EXPECT_FALSE(fs::exists(dir / "empty_embedded.csv"));
  // On stderr a row's reason is not prefixed with its name twice.
  std::ofstream(dir / "short.csv") << "a,b\n0.5\n";
  Result short_row = adapt_cli("predict '" + model + "' '" + (dir / "short.csv").string() + "'");
  EXPECT_EQ(short_row.code, 1) << short_row.err;
  EXPECT_TRUE(contains(short_row.err, "adapt: error: " + (dir / "short.csv").string() + ":2: expected 2 fields"))
      << short_row.err;
  Result txt = adapt_cli("predict '" + model + "' 0.5,0.5 --out '" + (dir / "preds.txt").string() + "'");
  EXPECT_EQ(txt.code, 1);
  EXPECT_TRUE(contains(txt.err, ".csv or .jsonl")) << txt.err;

  Result e = adapt_cli("evaluate '" + model + "' '" + (dir / "points.csv").string() + "' --slices label --out '" +
                       (dir / "eval").string() + "'");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_TRUE(contains(e.out, "evaluated 400 rows")) << e.out;
  EXPECT_TRUE(fs::exists(dir / "eval" / "predictions.csv"));

  // Drift: the training file itself is like the reference (exit 0); moved by 3 in a, it drifted (exit 3).
  {
    std::ofstream moved(dir / "moved.csv");
    moved << "a,b,label\n";
    for (int i = 0; i < 400; ++i) moved << (i % 20) / 10.0 + 2.0 << "," << (i / 20) / 10.0 - 1.0 << ",up\n";
  }
  Result same = adapt_cli("drift '" + model + "' '" + (dir / "points.csv").string() + "'");
  EXPECT_EQ(same.code, 0) << same.out << same.err;
  EXPECT_TRUE(contains(same.out, "no drift found")) << same.out;
  Result moved = adapt_cli("--json drift '" + model + "' '" + (dir / "moved.csv").string() + "' --out '" +
                           (dir / "drift").string() + "'");
  EXPECT_EQ(moved.code, 3) << moved.out << moved.err;
  EXPECT_TRUE(nlohmann::json::parse(moved.out)["drift"].get<bool>()) << moved.out;
  EXPECT_TRUE(fs::exists(dir / "drift" / "drift_columns.csv"));
  const std::string scored = slurp(dir / "preds.csv");
  EXPECT_TRUE(contains(scored, ",true,") || contains(scored, ",false,")) << scored.substr(0, 300);  // in_domain

  Result s = adapt_cli("--json sanity '" + (dir / "recipe.json").string() + "' --max-epochs 2");
  ASSERT_EQ(s.code, 0) << s.out << s.err;
  const nlohmann::json sanity = nlohmann::json::parse(s.out);
  EXPECT_TRUE(sanity.contains("shuffled_labels")) << s.out;
  EXPECT_TRUE(sanity["passed"].get<bool>()) << s.out;
}

TEST(Cli, InvalidRecipeNamesTheJsonPath) {
  fs::path recipe = scratch() / "bad.json";
  std::ofstream(recipe) << R"({"reader": {"name": "core.csv", "path": "x.csv", "bogus": 1},
    "inputs": [{"name": "core.category", "column": "a"}], "target": {"name": "core.category", "column": "b"},
    "model": {"name": "core.mlp"}, "train": {"epochs": 1}})";
  Result r = adapt_cli("train '" + recipe.string() + "' --out '" + (scratch() / "run").string() + "'");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "reader.bogus")) << r.err;
}

TEST(Cli, PluginsListShowsLoadedAndFailedPlugins) {
  Result r = adapt_cli(kWithTestPlugins + "plugins list");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "NAME")) << r.out;
  EXPECT_TRUE(contains(r.out, "good")) << r.out;
  EXPECT_TRUE(contains(r.out, "1.2.3")) << r.out;
  EXPECT_TRUE(contains(r.out, "libadapt_test_good.so")) << r.out;
  EXPECT_TRUE(contains(r.out, "Refused (not opened):")) << r.out;
  EXPECT_TRUE(contains(r.out, "built for adapt plugin ABI")) << r.out;
  EXPECT_TRUE(contains(r.out, "Blacklisted")) << r.out;
  EXPECT_TRUE(contains(r.out, "threw while registering")) << r.out;
  EXPECT_TRUE(contains(r.err, "found twice")) << r.err;  // dup_first / dup_second: first wins
}

TEST(Cli, PluginsListJson) {
  Result r = adapt_cli("--json " + kWithTestPlugins + "plugins list");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& p : j.at("plugins")) {
    if (p.at("name") == "good") {
      found = true;
      EXPECT_EQ(p.at("version"), "1.2.3");
      EXPECT_EQ(p.at("license"), "MIT");
      EXPECT_EQ(p.at("components"), nlohmann::json::array({"good.echo"}));
    }
  }
  EXPECT_TRUE(found) << r.out;
  bool abi_failure = false;
  for (const auto& f : j.at("failures")) abi_failure |= contains(f.at("file").get<std::string>(), "libadapt_test_abi.so");
  EXPECT_TRUE(abi_failure) << r.out;
  EXPECT_EQ(j.at("search_path").at(0), ADAPT_TEST_PLUGIN_DIR);
}

TEST(Cli, PluginsInfoPrintsEveryOption) {
  Result r = adapt_cli(kWithTestPlugins + "plugins info good");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"Plugin Details:", "A well-formed test plugin", "1.2.3", "MIT", "reader good.echo", "path",
                           "required", "limit", "integer", "rows to return", "[>= 1]"}) {
    EXPECT_TRUE(contains(r.out, part)) << part << " missing from:\n" << r.out;
  }
  Result j = adapt_cli("--json " + kWithTestPlugins + "plugins info good");
  ASSERT_EQ(j.code, 0) << j.err;
  auto info = nlohmann::json::parse(j.out);
  const auto& options = info.at("components").at(0).at("options");
  ASSERT_EQ(options.size(), 2u);
  EXPECT_EQ(options.at(1).at("name"), "limit");
  EXPECT_EQ(options.at(1).at("default"), 3);
  EXPECT_EQ(options.at(1).at("min"), 1.0);

  Result core = adapt_cli("plugins info core");
  EXPECT_EQ(core.code, 0) << core.err;

  Result missing = adapt_cli(kWithTestPlugins + "plugins info nosuch");
  EXPECT_EQ(missing.code, 1);
  EXPECT_TRUE(contains(missing.err, "no plugin named \"nosuch\"")) << missing.err;
  Result failed = adapt_cli(kWithTestPlugins + "plugins info adapt_test_abi");
  EXPECT_EQ(failed.code, 1);
  EXPECT_TRUE(contains(failed.err, "was not loaded") && contains(failed.err, "plugin ABI")) << failed.err;
}

// Plugins that segfault while loading or never finish registering: listing them blacklists them
// with the reason and exits 0; a command whose recipe does not need them never opens them.
TEST(Cli, HostilePluginsCrashNothing) {
  const std::string hostile = std::string("--plugin-path '") + ADAPT_TEST_PLUGIN_DIR + "/hostile' ";
  // The hang costs one timeout; the others finish long before it, even on a loaded machine.
  Result list = adapt_cli(hostile + "plugins list", "ADAPT_PLUGIN_SCAN_TIMEOUT=6");
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_TRUE(contains(list.out, "Blacklisted")) << list.out;
  EXPECT_TRUE(contains(list.out, "libadapt_test_crash.so crashed while loading (signal 11")) << list.out;
  EXPECT_TRUE(contains(list.out, "libadapt_test_hang.so did not finish loading within 6 s")) << list.out;
  Result again = adapt_cli("--json " + hostile + "plugins list");  // from the cache: no helper, no wait
  ASSERT_EQ(again.code, 0) << again.err;
  auto j = nlohmann::json::parse(again.out);
  EXPECT_EQ(j.at("scanned"), 0);
  EXPECT_EQ(j.at("blacklisted").size(), 2u);

  const fs::path dir = scratch() / "hostile_train";
  fs::create_directories(dir);
  std::ofstream(dir / "points.csv") << "a,label\n0,x\n1,y\n0.1,x\n0.9,y\n0.2,x\n0.8,y\n0.05,x\n0.95,y\n";
  std::ofstream(dir / "recipe.json") << nlohmann::json{
      {"reader", {{"name", "core.csv"}, {"path", (dir / "points.csv").string()}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.25}}},
      {"inputs", {{{"name", "core.regression"}, {"columns", {"a"}}}}},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"loader", {{"batch_size", 4}, {"workers", 0}}},
      {"model", {{"name", "core.mlp"}, {"layers", {4}}}},
      {"train", {{"epochs", 1}}}};
  Result train = adapt_cli(hostile + "train '" + (dir / "recipe.json").string() + "' --out '" + (dir / "run").string() + "'");
  EXPECT_EQ(train.code, 0) << train.out << train.err;
  EXPECT_TRUE(fs::exists(dir / "run" / "model.adapt"));
}

TEST(Cli, InsecurePluginDirectoryNeedsTheFlag) {
  fs::path open = scratch() / "open";
  fs::create_directories(open);
  fs::copy_file(fs::path(ADAPT_TEST_PLUGIN_DIR) / "libadapt_test_good.so", open / "libadapt_test_good.so",
                fs::copy_options::overwrite_existing);
  ASSERT_EQ(::chmod(open.c_str(), 0777), 0);
  Result refused = adapt_cli("--json --plugin-path '" + open.string() + "' plugins list");
  ASSERT_EQ(refused.code, 0) << refused.err;
  EXPECT_TRUE(contains(refused.out, "world-writable")) << refused.out;
  Result allowed = adapt_cli("--json --allow-insecure-plugins --plugin-path '" + open.string() + "' plugins list");
  ASSERT_EQ(allowed.code, 0) << allowed.err;
  auto j = nlohmann::json::parse(allowed.out);
  bool loaded = false;
  for (const auto& p : j.at("plugins")) loaded |= p.at("file").get<std::string>().rfind(open.string(), 0) == 0;
  EXPECT_TRUE(loaded) << allowed.out;
}

// Ctrl-C while training: the run writes a checkpoint, says how to resume and exits 130; --resume
// finishes it; training into the finished run again needs --force. Before, Ctrl-C lost the run and a
// second train silently replaced the first.
TEST(Cli, CtrlCWritesACheckpointAndAFinishedRunNeedsForce) {
  const fs::path dir = scratch() / "interrupt";
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "points.csv");
    csv << "a,b,label\n";
    for (int i = 0; i < 600; ++i) {
      double a = (i % 24) / 12.0 - 1.0, b = (i / 24) / 12.5 - 1.0;
      csv << a << "," << b << "," << (a * b > 0 ? "same" : "other") << "\n";
    }
    std::ofstream(dir / "recipe.json") << nlohmann::json{
        {"seed", 1},
        {"reader", {{"name", "core.csv"}, {"path", (dir / "points.csv").string()}}},
        {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
        {"inputs", {{{"name", "core.regression"}, {"columns", {"a", "b"}}}}},
        {"target", {{"name", "core.category"}, {"column", "label"}}},
        {"loader", {{"batch_size", 8}, {"workers", 0}}},
        {"model", {{"name", "core.mlp"}, {"layers", {16}}}},
        {"train", {{"epochs", 30}, {"lr", 1e-2}}}};  // seconds of epochs left when the first is reported
  }
  const fs::path run = dir / "run", out = dir / "out.txt", err = dir / "err.txt";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("XDG_CACHE_HOME", (scratch() / "cache").c_str(), 1);
    if (!::freopen(out.c_str(), "w", stdout) || !::freopen(err.c_str(), "w", stderr)) ::_exit(99);
    ::execl(ADAPT_CLI, ADAPT_CLI, "train", (dir / "recipe.json").c_str(), "--out", run.c_str(), nullptr);
    ::_exit(98);
  }
  // Interrupt once the first epoch is reported: training is under way, most epochs still to come.
  for (int waited = 0; waited < 3000 && !contains(slurp(out), "train_loss"); ++waited) ::usleep(20000);
  ASSERT_TRUE(contains(slurp(out), "train_loss")) << slurp(out) << slurp(err);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status) << "\n" << slurp(err);
  EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(err);
  const std::string said = slurp(err);
  EXPECT_TRUE(contains(said, "interrupted in epoch") && contains(said, "checkpoint written to")) << said;
  EXPECT_TRUE(contains(said, "continue with: adapt train") && contains(said, "--resume")) << said;
  EXPECT_TRUE(fs::exists(run / "checkpoint.pt"));
  EXPECT_FALSE(fs::exists(run / "model.adapt"));

  const std::string again = "train '" + (dir / "recipe.json").string() + "' --out '" + run.string() + "'";
  Result resumed = adapt_cli(again + " --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(contains(resumed.out, "resuming from")) << resumed.out;
  EXPECT_TRUE(fs::exists(run / "model.adapt"));

  Result refused = adapt_cli(again);
  EXPECT_EQ(refused.code, 1);
  EXPECT_TRUE(contains(refused.err, "holds a finished run") && contains(refused.err, "--force")) << refused.err;
  Result forced = adapt_cli(again + " --force");
  EXPECT_EQ(forced.code, 0) << forced.err;
}

// `adapt inspect`: text report, --json on stdout, files in --out; a copy of the label among the inputs
// is named, and a group column the data lacks is an error (exit 1) naming it.
TEST(Cli, InspectReportsAsTextJsonAndFiles) {
  const fs::path dir = scratch() / "inspect";
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "points.csv");
    csv << "a,b,copy,label\n";
    for (int i = 0; i < 200; ++i) {
      double a = (i % 20) / 10.0 - 1.0, b = (i / 20) / 5.0 - 1.0;
      const char* label = a + b > 0 ? "up" : "down";
      csv << a << "," << b << "," << label << "," << label << "\n";
    }
  }
  nlohmann::json recipe = {{"seed", 1},
                           {"reader", {{"name", "core.csv"}, {"path", (dir / "points.csv").string()}}},
                           {"splitter", {{"name", "core.random"}, {"valid_pct", 0.25}}},
                           {"inputs", {{{"name", "core.regression"}, {"columns", {"a", "b"}}},
                                       {{"name", "core.category"}, {"column", "copy"}}}},
                           {"target", {{"name", "core.category"}, {"column", "label"}}},
                           {"model", {{"name", "core.mlp"}, {"layers", {6}}}},
                           {"train", {{"epochs", 1}}}};
  std::ofstream(dir / "recipe.json") << recipe;
  Result text = adapt_cli("inspect '" + (dir / "recipe.json").string() + "' --out '" + (dir / "report").string() + "'");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "data: 200 records")) << text.out;
  EXPECT_TRUE(contains(text.out, "too good to be true: \"copy\" alone predicts \"label\"")) << text.out;
  for (const char* file : {"inspect.json", "columns.csv", "drift.csv", "groups.csv", "leakage.csv", "label_issues.csv"})
    EXPECT_TRUE(fs::exists(dir / "report" / file)) << file;

  Result json_out = adapt_cli("inspect '" + (dir / "recipe.json").string() + "' --json --no-label-issues");
  ASSERT_EQ(json_out.code, 0) << json_out.err;
  const auto report = nlohmann::json::parse(json_out.out);
  EXPECT_EQ(report["leakage"][0]["column"], "copy");
  EXPECT_FALSE(report.contains("label_issues"));
  EXPECT_TRUE(contains(json_out.err, "data: 200 records")) << json_out.err;

  recipe["inspect"] = {{"groups", {"speaker"}}};
  std::ofstream(dir / "groups.json") << recipe;
  Result bad = adapt_cli("inspect '" + (dir / "groups.json").string() + "'");
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(contains(bad.err, "inspect.groups")) << bad.err;
  EXPECT_TRUE(contains(bad.err, "\"speaker\"")) << bad.err;
}

// Files a plugin's reader takes, some of them unreadable: each bad one gets its reason in --out (the file
// named), the others are predicted, a WAV at another sample rate is resampled, and the exit code is 1.
TEST(Cli, PredictReportsEachUnreadableFileAndGoesOn) {
  const fs::path dir = scratch() / "audio_files";
  fs::create_directories(dir);
  Result d = adapt_cli("demo audio --out '" + (dir / "runs").string() + "'");
  ASSERT_EQ(d.code, 0) << d.out << d.err;
  const fs::path run = dir / "runs" / "audio.demo";
  const fs::path good = run / "data" / "predict" / "tone.wav";
  ASSERT_TRUE(fs::exists(good)) << d.out;
  std::ofstream(dir / "broken.wav") << "RIFF0000WAVEnot really a wave file";
  {  // a 16 kHz mono 16-bit tone, half a second: the model's block resamples it to 8 kHz
    std::ofstream wav(dir / "tone16k.wav", std::ios::binary);
    const uint32_t rate = 16000, n = 8000, data_bytes = n * 2, riff = 36 + data_bytes, fmt_size = 16, byte_rate = rate * 2;
    const uint16_t pcm = 1, channels = 1, align = 2, bits = 16;
    auto put = [&](const void* p, size_t k) { wav.write(static_cast<const char*>(p), static_cast<std::streamsize>(k)); };
    put("RIFF", 4), put(&riff, 4), put("WAVEfmt ", 8), put(&fmt_size, 4), put(&pcm, 2), put(&channels, 2);
    put(&rate, 4), put(&byte_rate, 4), put(&align, 2), put(&bits, 2), put("data", 4), put(&data_bytes, 4);
    for (uint32_t i = 0; i < n; ++i) {
      const auto s = static_cast<int16_t>(8000 * std::sin(2 * M_PI * 440.0 * i / rate));
      put(&s, 2);
    }
  }
  const std::string files = "'" + good.string() + "' '" + (dir / "broken.wav").string() + "' '" +
                            (dir / "missing.wav").string() + "' '" + (dir / "tone16k.wav").string() + "'";
  Result p = adapt_cli("predict '" + (run / "model.adapt").string() + "' " + files + " --out '" +
                       (dir / "preds.csv").string() + "'");
  EXPECT_EQ(p.code, 1) << p.out << p.err;
  EXPECT_TRUE(contains(p.err, "2 of 4 inputs could not be predicted")) << p.err;
  const std::string preds = slurp(dir / "preds.csv");
  std::istringstream lines(preds);
  std::string line;
  std::getline(lines, line);  // header
  int predicted = 0, failed = 0;
  while (std::getline(lines, line)) {
    if (contains(line, "broken.wav") || contains(line, "missing.wav")) {
      ++failed;
      EXPECT_TRUE(contains(line, "audio: ")) << line;  // the reason names the plugin and the file
    } else {
      ++predicted;
      EXPECT_TRUE(contains(line, "\"label\"")) << line;
    }
  }
  EXPECT_EQ(predicted, 2) << preds;
  EXPECT_EQ(failed, 2) << preds;
}

TEST(Cli, PredictReportsAnEmptyTextPerRowAndGoesOn) {
  const fs::path dir = scratch() / "empty_text";
  fs::create_directories(dir);
  {
    std::ofstream tsv(dir / "notes.tsv");
    tsv << "label\ttext\n";
    const char* good[] = {"lovely sunny day at the park", "great news about the new job", "happy to see you soon"};
    const char* bad[] = {"the train was late again today", "lost my keys and my phone", "rain all week long"};
    for (int i = 0; i < 60; ++i) tsv << "good\t" << good[i % 3] << " " << i << "\nbad\t" << bad[i % 3] << " " << i << "\n";
    std::ofstream recipe(dir / "recipe.json");
    recipe << nlohmann::json{
        {"seed", 1},
        {"reader", {{"name", "text.csv"}, {"path", (dir / "notes.tsv").string()}, {"delimiter", "tab"}}},
        {"splitter", {{"name", "core.random"}, {"valid_pct", 0.25}, {"test_pct", 0.0}}},
        {"inputs", {{{"name", "text.tokens"}, {"vocab_size", 60}, {"max_tokens", 20}}}},
        {"target", {{"name", "core.category"}, {"column", "label"}}},
        {"loader", {{"batch_size", 16}, {"workers", 0}}},
        {"model", {{"name", "text.transformer_classifier"}, {"d_model", 16}, {"n_heads", 2}, {"n_layers", 1}}},
        {"train", {{"epochs", 1}, {"lr", 1e-3}}}};
    std::ofstream(dir / "new.csv") << "text\nsunny day at the park\n\"\"\nlost my keys\n";
  }
  Result t = adapt_cli("train '" + (dir / "recipe.json").string() + "' --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(t.code, 0) << t.out << t.err;
  Result p = adapt_cli("predict '" + (dir / "run" / "model.adapt").string() + "' '" + (dir / "new.csv").string() +
                       "' --out '" + (dir / "preds.csv").string() + "'");
  EXPECT_EQ(p.code, 1) << p.out << p.err;
  EXPECT_TRUE(contains(p.err, "1 of 3 inputs could not be predicted")) << p.err;
  std::istringstream lines(slurp(dir / "preds.csv"));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "input,label,prediction,ood_score,in_domain,error");
  std::vector<std::string> rows;
  while (std::getline(lines, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u) << slurp(dir / "preds.csv");
  EXPECT_TRUE(contains(rows[0], "new.csv:2") && contains(rows[0], "\"label\"")) << rows[0];
  EXPECT_TRUE(contains(rows[1], "new.csv:3") && contains(rows[1], "empty text") && contains(rows[1], "on_empty"))
      << rows[1];  // the reason names the row and the option that accepts empties
  EXPECT_TRUE(contains(rows[2], "new.csv:4") && contains(rows[2], "\"label\"")) << rows[2];

  // Explained through the text plugin: each piece after bos is a part, named by its text.
  Result e = adapt_cli("--json explain '" + (dir / "run" / "model.adapt").string() + "' 'sunny day'");
  ASSERT_EQ(e.code, 0) << e.err;
  const nlohmann::json parts = nlohmann::json::parse(e.out)[0]["parts"];
  ASSERT_GE(parts.size(), 2u) << e.out;
  std::string joined;
  for (const auto& part : parts) joined += part["part"].get<std::string>();
  EXPECT_EQ(joined, " sunny day") << e.out;  // "▁" shown as a space; the pieces give back the text
}
