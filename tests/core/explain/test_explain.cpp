// Explanations by occlusion: known answers on rings (the label is the radius of (x1, x2); x3 and x4
// are noise), the block hooks' parts, and the page.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "adapt/data/category_block.h"
#include "adapt/data/csv.h"
#include "adapt/data/input_parts.h"
#include "adapt/data/regression_block.h"
#include "adapt/explain/explain.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"

using namespace adapt;
using namespace adapt::testing;

namespace {
RunResult train_run(const std::filesystem::path& dir, json recipe) {
  std::ostringstream out;
  RunOptions options;
  options.out_dir = dir / "run";
  options.out = &out;
  options.progress = false;
  return train_recipe(recipe, options, core_test_registry());
}
}  // namespace

TEST(Explain, TheInformativeColumnsOfRingsOutweighTheNoiseColumns) {
  TempDir dir("explain_rings");
  RunResult run = train_run(dir.path, rings_recipe(dir.path, 1500, 8));
  Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  Records records = read_csv_file((dir.path / "rings.csv").string());
  double signal = 0, noise = 0;
  for (size_t row = 0; row < 100; ++row) {
    const Explanation e = explain_row(predictor, records, row);
    ASSERT_EQ(e.parts.size(), 4u);
    EXPECT_EQ(e.parts[0].part, "x1=" + records.at(row, "x1"));
    EXPECT_EQ(e.parts[3].input, "x");
    EXPECT_EQ(e.explained, "p(" + e.prediction["label"].get<std::string>() + ")");
    EXPECT_NEAR(e.score, e.prediction["probabilities"][e.prediction["label"].get<std::string>()].get<double>(), 1e-5);
    EXPECT_TRUE(e.inputs.empty());  // one input
    signal += std::abs(e.parts[0].effect) + std::abs(e.parts[1].effect);
    noise += std::abs(e.parts[2].effect) + std::abs(e.parts[3].effect);
  }
  EXPECT_GT(signal, 4 * noise) << "signal " << signal << ", noise " << noise;
}

// The effect is the score minus the score of the model's output on the item without the part:
// recomputed here by hand for one part.
TEST(Explain, AnEffectIsTheScoreMinusTheScoreWithoutThePart) {
  TempDir dir("explain_effect");
  RunResult run = train_run(dir.path, rings_recipe(dir.path, 400, 2));
  Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  Records records = read_csv_file((dir.path / "rings.csv").string());
  const Explanation e = explain_row(predictor, records, 7, {/*batch_size=*/3});
  Sample item = predictor.encode_row(records, 7);
  const auto& block = dynamic_cast<const RegressionBlock&>(predictor.blocks()->input("x"));
  item["x"][1] = 0.0f;  // x2 at its training mean (standardised)
  const torch::Tensor without = predictor.outputs_of({item})[0] / predictor.temperature();
  const int64_t predicted = predictor.outputs_of({predictor.encode_row(records, 7)})[0].argmax().item<int64_t>();
  const double expected = e.score - torch::softmax(without.to(torch::kDouble), 0)[predicted].item<double>();
  EXPECT_NEAR(e.parts[1].effect, expected, 1e-6);  // one row alone against a batch of three: float rounding
  EXPECT_EQ(block.columns()[1], "x2");
}

TEST(Explain, TheDefaultPartsFollowTheTensorForm) {
  struct Plain : Block {
    std::vector<std::string> columns() const override { return {"a"}; }
    TensorDict encode(const Records&, size_t, const EncodeContext&) const override { return {}; }
  } plain;
  std::istringstream csv("a\n1\n");
  Records records = read_csv(csv, "mem");
  const TensorDict vector{{"", torch::tensor({1.0f, 2.0f, 3.0f})}};
  auto parts = plain.parts(records, 0, vector);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].name, "[1]");
  EXPECT_TRUE(torch::equal(parts[1].without.at(""), torch::tensor({1.0f, 0.0f, 3.0f})));

  const TensorDict image{{"", torch::arange(40, torch::kFloat32).reshape({1, 2, 20})}};
  parts = plain.parts(records, 0, image);
  ASSERT_EQ(parts.size(), 10u);
  EXPECT_EQ(parts[0].name, "frames 0-1");
  const torch::Tensor band = parts[0].without.at("");
  EXPECT_EQ(band[0][1][0].item<float>(), 0.0f);   // the item's minimum
  EXPECT_EQ(band[0][1][2].item<float>(), 22.0f);  // outside the band: untouched

  const TensorDict scalar{{"", torch::tensor(int64_t{5})}, {"mask", torch::tensor(true)}};
  parts = plain.parts(records, 0, scalar);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "input");
  EXPECT_EQ(parts[0].without.at("").item<int64_t>(), 0);

  const TensorDict tokens{{"", torch::tensor({7, 8, 9}, torch::kInt64)}};
  parts = deleted_positions(tokens, "", 1, 3);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_TRUE(torch::equal(parts[0].without.at(""), torch::tensor({7, 9}, torch::kInt64)));
  EXPECT_THROW(replaced_entries(vector, "", {0.0}), Error);
}

TEST(Explain, ThePageShadesEveryPartAndEscapesNames) {
  Explanation e;
  e.prediction = {{"label", "<b>"}};
  e.explained = "p(<b>)";
  e.score = 0.9;
  e.parts = {{"x", "<script>", 0.3}, {"x", "b&c", -0.1}};
  const std::string page = explanation_page({e}, {"row <1>"});
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page.find("b&amp;c"), std::string::npos);
  EXPECT_NE(page.find("row &lt;1&gt;"), std::string::npos);
  EXPECT_NE(page.find("rgba(214,39,40,0.850)"), std::string::npos);  // the strongest, fully red
  EXPECT_NE(page.find("rgba(31,119,180,0.283)"), std::string::npos);  // a third of it, blue
  const json j = to_json(e);
  EXPECT_EQ(j["parts"].size(), 2u);
  EXPECT_FALSE(j.contains("inputs"));
  EXPECT_EQ(strongest(e.parts, 1).front().part, "<script>");
}

// A core.fusion model over two inputs where only `a` decides the label: marking `a` missing moves the
// prediction far more than marking `b` missing (modality dropout trained the missing vectors).
TEST(Explain, WholeInputsOfAFusionModelAreScoredByTheirMissingMark) {
  TempDir dir("explain_fusion");
  std::mt19937 gen(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::ostringstream csv;
  csv << "a,b,label\n";
  for (int i = 0; i < 800; ++i) {
    const double a = u(gen), b = u(gen);
    csv << a << "," << b << "," << (a > 0 ? "pos" : "neg") << "\n";
  }
  write_file(dir.path / "ab.csv", csv.str());
  const auto branch = [](const std::string& input) {
    return json{{"encoder", {{"name", "core.mlp"}, {"input", input}, {"layers", {16}}, {"batchnorm", false}}}};
  };
  json recipe = {
      {"seed", 42},
      {"reader", {{"name", "core.csv"}, {"path", (dir.path / "ab.csv").string()}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
      {"inputs", json::array({{{"name", "core.regression"}, {"columns", {"a"}}, {"key", "a"}},
                              {{"name", "core.regression"}, {"columns", {"b"}}, {"key", "b"}}})},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"transforms", json::array({{{"name", "core.modality_dropout"}, {"p", 0.2}}})},
      {"loader", {{"batch_size", 32}, {"workers", 0}}},
      {"model", {{"name", "core.fusion"}, {"combiner", "concat"}, {"width", 16}, {"head", {16}}, {"dropout", 0.0},
                 {"branches", {{"left", branch("a")}, {"right", branch("b")}}}}},
      {"metrics", {"core.accuracy"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 6}, {"lr", 1e-2}}},
  };
  RunResult run = train_run(dir.path, recipe);
  Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  Records records = read_csv_file((dir.path / "ab.csv").string());
  double a = 0, b = 0;
  for (size_t row = 0; row < 50; ++row) {
    const Explanation e = explain_row(predictor, records, row);
    ASSERT_EQ(e.inputs.size(), 2u);
    EXPECT_EQ(e.inputs[0].input, "a");
    ASSERT_EQ(e.parts.size(), 2u);
    EXPECT_EQ(e.parts[1].part, "b=" + records.at(row, "b"));
    a += e.inputs[0].effect, b += std::abs(e.inputs[1].effect);
  }
  EXPECT_GT(a, 3 * b) << "a " << a << ", b " << b;
}
