// AMP Scanner v2 (Veltri et al. 2018): antimicrobial peptides against decoys, with the official
// train / validation ("eval") / test files. Settings were chosen training on "tr" and scoring "eval"
// only (10 epochs, lr 2e-3, wd 0.05: valid accuracy 0.9209, MCC 0.842; protein/README.md), and so was
// the sampler (batches of similar lengths, session 29: DISABLED_SamplerOnTheValidationFile below).
// This test refits those settings on "tr" + "eval" (an empty valid_values, docs/recipes.md) and
// scores the official test split once: measured accuracy 0.9101, MCC 0.820, AUROC 0.963 with random
// batches (the published AMP Scanner v2: 0.9101); 0.9038, MCC 0.808, AUROC 0.961 with the length
// buckets (seed 42); 0.9066, MCC 0.813 once the CNN ran time-major (other oneDNN kernels, the same
// network to rounding). The run is deterministic on a given machine. Skips without ADAPT_DATA_DIR.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "adapt/run/train_recipe.h"
#include "protein_test_support.h"
#include "support/test_seed.h"

namespace adapt::protein {
namespace {

using testing::protein_registry;
using testing::temp_dir;

std::filesystem::path amp_dir() {
  const char* root = std::getenv("ADAPT_DATA_DIR");
  if (root == nullptr) return {};
  auto dir = std::filesystem::path(root) / "protein" / "amp-scanner-v2";
  return std::filesystem::exists(dir / "AMP.tr.fa") ? dir : std::filesystem::path();
}

json amp_recipe(const std::filesystem::path& dir) {
  return {{"seed", 42},
          {"reader",
           {{"name", "protein.fasta"},
            {"path", dir.string()},
            {"file_pattern", "\\.fa$"},
            {"label_from", "file"},
            {"split_pattern", "\\.(tr|eval|te)\\.fa$"}}},
          {"splitter",
           {{"name", "core.by_column"},
            {"column", "split"},
            {"train_values", {"tr", "eval"}},
            {"valid_values", json::array()},
            {"test_values", {"te"}}}},
          {"inputs", {{{"name", "protein.sequence"}, {"max_len", 200}}}},
          {"target", {{"name", "core.category"}, {"column", "label"}}},
          {"loader", {{"batch_size", 32}, {"sampler", "bucket"}}},  // chosen on eval (DISABLED_Sampler... below)
          {"model",
           {{"name", "protein.cnn"},
            {"emb_dim", 32},
            {"channels", 64},
            {"kernel_size", 9},
            {"dilations", {1, 2, 4}},
            {"dropout", 0.3}}},
          {"metrics", {"core.accuracy", "core.mcc", "core.auroc"}},
          {"train", {{"schedule", "one_cycle"}, {"epochs", 10}, {"lr", 2e-3}, {"wd", 0.05}}},
          {"baselines", {{{"name", "protein.composition_logistic"}}}}};
}

TEST(ProteinRealData, AmpScannerV2) {
  const auto data = amp_dir();
  if (data.empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run the AMP Scanner v2 test";
  auto dir = temp_dir("amp");
  RunOptions options;
  options.out_dir = dir;
  options.out = &std::cout;
  options.progress = false;
  options.final_run = true;  // settings fixed in advance; the floors are on the test part
  auto result = train_recipe(test_support::with_test_seed(amp_recipe(data)), options, protein_registry());
  const auto& test = result.metrics["test"];
  const auto& base = result.baselines["protein.composition_logistic"]["test"];
  std::cout << "AMP Scanner v2, refit on train + validation: TEST accuracy " << test["accuracy"] << " mcc " << test["mcc"] << " auroc " << test["auroc"]
            << "; composition baseline test accuracy " << base["accuracy"] << "\n";
  EXPECT_FALSE(result.metrics.contains("valid"));
  // Floors below the run-to-run spread, not the targets (0.91 / 0.82, met with the seed-42 run on
  // the machine that chose the settings: 0.9101 / 0.820). Spread (bench/spread/run.sh, 2026-12-01),
  // seeds 42, 1, 2, 3: accuracy 0.9087, 0.9178, 0.8982, 0.9059; MCC 0.818, 0.836, 0.796, 0.812. With
  // the length buckets (2026-12-04, the same seeds): 0.9038, 0.9129, 0.8996, 0.9157; MCC 0.808, 0.826,
  // 0.799, 0.831 (mean 0.9080 against 0.9077): the floors stay.
  EXPECT_GE(test["accuracy"].get<double>(), 0.88);
  EXPECT_GE(test["mcc"].get<double>(), 0.76);
  EXPECT_GT(test["accuracy"].get<double>(), base["accuracy"].get<double>());
  std::filesystem::remove_all(dir);
}

// Issue 26: whether the AMP recipe may batch peptides of similar lengths (loader.sampler "bucket":
// each batch padded less, so the convolutions do less work). Chosen on the VALIDATION file only, the
// protocol that chose the settings above: train on "tr", score "eval", seeds 42, 1, 2 (ADAPT_TEST_SEED),
// sampler "random" (the recipe's then) against "bucket". Decision, written before it ran (session 29):
// "bucket" is adopted if its mean validation accuracy over the three seeds is no more than 0.005 below
// random's and its mean MCC no more than 0.01 below; otherwise the recipe keeps "random". The test
// file is not scored here. Result (2026-12-04): random 0.9124, 0.9138, 0.9181 (mean 0.9148), MCC
// 0.825, 0.828, 0.836 (0.830); bucket 0.9110, 0.9209, 0.9167 (0.9162), MCC 0.822, 0.842, 0.833 (0.832),
// in 7.3-7.9 s against 15.1-15.7: ADOPTED (the recipe above and recipes/protein-amp.json). Run by hand with
// `--gtest_also_run_disabled_tests --gtest_filter=ProteinRealData.DISABLED_SamplerOnTheValidationFile`.
TEST(ProteinRealData, DISABLED_SamplerOnTheValidationFile) {
  const auto data = amp_dir();
  if (data.empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run the AMP Scanner v2 test";
  for (const char* sampler : {"random", "bucket"}) {
    auto dir = temp_dir(std::string("amp-valid-") + sampler);
    std::ostringstream log;
    RunOptions options;
    options.out_dir = dir;
    options.out = &log;
    options.progress = false;
    json recipe = test_support::with_test_seed(amp_recipe(data));
    recipe["splitter"]["train_values"] = {"tr"};
    recipe["splitter"]["valid_values"] = {"eval"};
    recipe["splitter"]["test_values"] = json::array();
    recipe["reader"]["file_pattern"] = "\\.(tr|eval)\\.fa$";  // the test file is not even read
    recipe["loader"]["sampler"] = sampler;
    const auto start = std::chrono::steady_clock::now();
    auto result = train_recipe(recipe, options, protein_registry());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto& valid = result.metrics["valid"];
    std::cout << "AMP Scanner v2, sampler " << sampler << ": VALID accuracy " << valid["accuracy"] << " mcc "
              << valid["mcc"] << " (" << seconds << " s)\n";
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace adapt::protein
