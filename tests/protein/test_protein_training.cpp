// End to end through the core's recipe runner: a CNN classifier with export/reload/predict/embed,
// masked-LM pretraining then fine-tuning from the pretrained encoder, per-residue tagging, and the demo.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>
#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/export/export.h"
#include "adapt/run/train_recipe.h"
#include "alphabet.h"
#include "protein_test_support.h"
#include "support/quiet_run.h"

namespace adapt::protein {
namespace {

using testing::protein_registry;
using testing::temp_dir;
using testing::write_file;

// Class "amp": cationic and hydrophobic (K/R/L rich); class "decoy": anything. 400 records.
std::string write_toy_csv(const std::filesystem::path& dir, const std::string& header = "id,sequence,label") {
  std::mt19937_64 gen(11);
  std::string csv = header + "\n";
  for (int i = 0; i < 400; ++i) {
    const bool amp = i % 2 == 0;
    const int n = 12 + static_cast<int>(gen() % 30);
    std::string s;
    for (int j = 0; j < n; ++j) s += amp && gen() % 2 == 0 ? "KRLLW"[gen() % 5] : Alphabet::standard[gen() % 20];
    csv += "s" + std::to_string(i) + "," + s + "," + (amp ? "amp" : "decoy") + "\n";
  }
  return write_file(dir / "toy.csv", csv);
}

using test_support::quiet_run;

TEST(ProteinTraining, CnnTrainsExportsReloadsPredictsAndEmbeds) {
  auto dir = temp_dir("cnn");
  const auto csv = write_toy_csv(dir);
  const json recipe{{"seed", 42},
                    {"reader", {{"name", "protein.csv"}, {"path", csv}, {"id_column", "id"}}},
                    {"splitter", {{"name", "core.stratified"}, {"column", "label"}, {"valid_pct", 0.25}}},
                    {"inputs", {{{"name", "protein.sequence"}}}},
                    {"target", {{"name", "core.category"}, {"column", "label"}}},
                    {"transforms", {{{"name", "protein.blosum_substitution"}, {"rate", 0.05}}}},
                    {"loader", {{"batch_size", 32}}},
                    {"model", {{"name", "protein.cnn"}, {"channels", 32}, {"emb_dim", 16}, {"dilations", {1, 2}}}},
                    {"metrics", {"core.accuracy", "core.mcc"}},
                    {"train", {{"schedule", "one_cycle"}, {"epochs", 6}, {"lr", 3e-3}}},
                    {"baselines", {{{"name", "protein.composition_logistic"}}}}};
  std::ostringstream log;
  auto result = train_recipe(recipe, quiet_run(dir / "run", log), protein_registry());
  const double accuracy = result.metrics["valid"]["accuracy"];
  const double baseline = result.baselines["protein.composition_logistic"]["valid"]["accuracy"];
  std::cout << "protein CNN toy: valid accuracy " << accuracy << ", composition baseline " << baseline << "\n";
  EXPECT_GT(accuracy, 0.9) << log.str();
  EXPECT_GT(baseline, 0.85);

  auto predictor = Predictor::load(result.model_file, protein_registry());
  const auto fa = write_file(dir / "q.fasta", ">q1\nKRLLWKRLLWKKLL\n>q2\nDEGSTNQDEGSTNQ\n");
  auto predictions = predictor.predict_inputs({fa, "kwkllkkllkrw"});
  ASSERT_EQ(predictions.size(), 3u);
  EXPECT_EQ(predictions[0]["label"], "amp") << predictions[0].dump();
  EXPECT_EQ(predictions[1]["label"], "decoy") << predictions[1].dump();
  EXPECT_EQ(predictions[2]["label"], "amp") << predictions[2].dump();
  // The export reproduces the learner's outputs, and embeds through Model::embed.
  Records rows({"id", "sequence"}, "t");
  rows.add_row({"a", "KRLLWKRLLW"}, "a");
  rows.add_row({"b", "MSTNPKPQRKTKRNTNRRPQDVKFPGG"}, "b");
  auto again = Predictor::load(result.model_file, protein_registry());
  EXPECT_TRUE(torch::equal(predictor.outputs(rows), again.outputs(rows)));
  auto model = predictor.model();
  model->eval();
  torch::NoGradGuard no_grad;
  auto batch = predictor.blocks()->collate({predictor.blocks()->encode(rows, 0, {Split::predict, nullptr}, false),
                                            predictor.blocks()->encode(rows, 1, {Split::predict, nullptr}, false)});
  auto e = model->embed(batch);
  EXPECT_EQ(e.sizes(), (std::vector<int64_t>{2, 32}));
  EXPECT_TRUE(torch::isfinite(e).all().item<bool>());
  // More rows than a batch, 5 to 300 residues in random order: predicted in batches of similar
  // length, yet each row gets its own output, in the records' order, with or without features.
  Records many({"id", "sequence"}, "t");
  std::mt19937_64 gen(3);
  for (int i = 0; i < 600; ++i) {
    std::string s;
    for (int j = 0, n = 5 + static_cast<int>(gen() % 296); j < n; ++j) s += Alphabet::standard[gen() % 20];
    many.add_row({"m" + std::to_string(i), s}, "m");
  }
  const torch::Tensor all = predictor.outputs(many);
  EXPECT_TRUE(torch::equal(predictor.outputs_and_features(many).outputs, all));
  for (size_t i : {0, 1, 299, 598, 599}) {
    Records one({"id", "sequence"}, "t");
    one.add_row({many.at(i, "id"), many.at(i, "sequence")}, "m");
    EXPECT_TRUE(torch::allclose(all[static_cast<int64_t>(i)], predictor.outputs(one)[0], 1e-5, 1e-6)) << "row " << i;
  }
  std::filesystem::remove_all(dir);
}

// The sequence column is named once, in the reader: the block and the baseline read it too, and the
// export predicts from it. A block that names another column is told which options to change.
TEST(ProteinTraining, SequenceColumnNamedInTheReaderReachesBlockAndBaseline) {
  auto dir = temp_dir("column");
  const auto csv = write_toy_csv(dir, "id,peptide,label");
  json recipe{{"seed", 42},
              {"reader", {{"name", "protein.csv"}, {"path", csv}, {"sequence_column", "peptide"}}},
              {"splitter", {{"name", "core.stratified"}, {"column", "label"}, {"valid_pct", 0.25}}},
              {"inputs", {{{"name", "protein.sequence"}}}},
              {"target", {{"name", "core.category"}, {"column", "label"}}},
              {"loader", {{"batch_size", 32}}},
              {"model", {{"name", "protein.cnn"}, {"channels", 16}, {"emb_dim", 8}, {"dilations", {1}}}},
              {"train", {{"epochs", 2}, {"lr", 3e-3}}},
              {"baselines", {{{"name", "protein.composition_logistic"}}}}};
  std::ostringstream log;
  auto result = train_recipe(recipe, quiet_run(dir / "run", log), protein_registry());
  EXPECT_GT(result.baselines["protein.composition_logistic"]["valid"]["accuracy"].get<double>(), 0.8) << log.str();
  EXPECT_EQ(log.str().find("failed"), std::string::npos) << log.str();
  const Predictor predictor = Predictor::load(result.model_file, protein_registry());
  ASSERT_EQ(predictor.predict_inputs({"KRLLWKRLLWKKLL"}).size(), 1u);
  // At predict time the reader's options are the export's: the error asks for a fixed input instead.
  const std::string at_predict = testing::error_of<DataError>([&] { predictor.predict_inputs({"KRLL1WKK"}); });
  EXPECT_NE(at_predict.find("invalid character '1'"), std::string::npos) << at_predict;
  EXPECT_NE(at_predict.find("Fix the input"), std::string::npos) << at_predict;
  EXPECT_EQ(at_predict.find("set the option"), std::string::npos) << at_predict;

  recipe["inputs"][0]["column"] = "sequence";
  EXPECT_THROW_WITH(train_recipe(recipe, quiet_run(dir / "bad", log), protein_registry()), DataError,
                    "inputs[0] (protein.sequence)", "no column \"sequence\"", "inputs[0].column",
                    "reader.sequence_column = \"peptide\"");
  recipe["reader"].erase("sequence_column");
  EXPECT_THROW_WITH(train_recipe(recipe, quiet_run(dir / "bad2", log), protein_registry()), DataError,
                    "no column \"sequence\" (reader.sequence_column)", "\"peptide\"");
  std::filesystem::remove_all(dir);
}

TEST(ProteinTraining, MaskedLmPretrainingThenFineTuning) {
  auto dir = temp_dir("mlm");
  const auto csv = write_toy_csv(dir);
  const json encoder{{"d_model", 32}, {"n_heads", 4}, {"n_layers", 2}, {"ff_size", 64}, {"dropout", 0.0}};
  json mlm_model = encoder;
  mlm_model["name"] = "protein.transformer_mlm";
  const json mlm_recipe{{"seed", 42},
                        {"reader", {{"name", "protein.csv"}, {"path", csv}}},
                        {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
                        {"inputs", {{{"name", "protein.mlm"}, {"max_len", 48}}}},
                        {"target", {{"name", "protein.mlm"}, {"max_len", 48}, {"role", "target"}}},
                        {"loader", {{"batch_size", 32}}},
                        {"model", mlm_model},
                        {"metrics", {"core.accuracy"}},
                        {"train", {{"schedule", "one_cycle"}, {"epochs", 4}, {"lr", 3e-3}}},
                        {"interpret", {{"top_losses", 0}, {"confusion_matrix", false}}}};
  std::ostringstream log;
  auto lm = train_recipe(mlm_recipe, quiet_run(dir / "lm", log), protein_registry());
  const double mlm_accuracy = lm.metrics["valid"]["accuracy"];
  std::cout << "protein masked LM: valid accuracy on masked residues " << mlm_accuracy << "\n";
  // The amp half draws K/R/L/W half the time: predicting those beats uniform guessing (0.05) clearly.
  EXPECT_GT(mlm_accuracy, 0.10) << log.str();

  // Fine-tune: the classifier starts from the pretrained encoder.
  json classifier = encoder;
  classifier.update({{"name", "protein.transformer"}, {"init_from", {{"file", lm.model_file.string()}, {"part", "encoder"}}}});
  json recipe{{"seed", 42},
              {"reader", {{"name", "protein.csv"}, {"path", csv}}},
              {"splitter", {{"name", "core.stratified"}, {"column", "label"}, {"valid_pct", 0.25}}},
              {"inputs", {{{"name", "protein.sequence"}, {"max_len", 48}}}  /* positions match the LM */},
              {"target", {{"name", "core.category"}, {"column", "label"}}},
              {"loader", {{"batch_size", 32}}},
              {"model", classifier},
              {"metrics", {"core.accuracy"}},
              {"train", {{"schedule", "one_cycle"}, {"epochs", 0}, {"lr", 1e-3}}}};
  // With no training at all the classifier's encoder equals the language model's.
  recipe["train"]["epochs"] = 1;
  recipe["train"]["lr"] = 1e-12;
  auto frozen = train_recipe(recipe, quiet_run(dir / "frozen", log), protein_registry());
  auto lm_model = Predictor::load(lm.model_file, protein_registry()).model();
  auto ft_model = Predictor::load(frozen.model_file, protein_registry()).model();
  auto lm_tokens = lm_model->part("encoder")->named_parameters()["tokens.weight"];
  auto ft_tokens = ft_model->part("encoder")->named_parameters()["tokens.weight"];
  EXPECT_TRUE(torch::allclose(lm_tokens, ft_tokens, 0, 1e-6));
  recipe["train"]["epochs"] = 6;
  recipe["train"]["lr"] = 2e-3;
  auto tuned = train_recipe(recipe, quiet_run(dir / "tuned", log), protein_registry());
  const double accuracy = tuned.metrics["valid"]["accuracy"];
  std::cout << "protein fine-tuned Transformer: valid accuracy " << accuracy << "\n";
  EXPECT_GT(accuracy, 0.85) << log.str();
  // The masked LM's export embeds too (prediction input: no masking).
  Records rows({"sequence"}, "t");
  rows.add_row({"KRLLWKRLLW"}, "a");
  auto lm_predictor = Predictor::load(lm.model_file, protein_registry());
  auto model = lm_predictor.model();
  model->eval();
  torch::NoGradGuard no_grad;
  auto batch = lm_predictor.blocks()->collate({lm_predictor.blocks()->encode(rows, 0, {Split::predict, nullptr}, false)});
  EXPECT_EQ(model->embed(batch).sizes(), (std::vector<int64_t>{1, 32}));
  std::filesystem::remove_all(dir);
}

TEST(ProteinTraining, PerResidueTagging) {
  // Label H on K/R/L/W-rich stretches is too easy to be interesting; here a residue's label is
  // whether it is hydrophobic (AVILMFWC -> h, else p), which a CNN learns per position.
  auto dir = temp_dir("tagging");
  std::mt19937_64 gen(5);
  std::string csv = "sequence,labels\n";
  const std::string hydrophobic = "AVILMFWC";
  for (int i = 0; i < 300; ++i) {
    std::string s, l;
    const int n = 10 + static_cast<int>(gen() % 20);
    for (int j = 0; j < n; ++j) {
      const char c = Alphabet::standard[gen() % 20];
      s += c;
      l += hydrophobic.find(c) != std::string::npos ? 'h' : 'p';
    }
    csv += s + "," + l + "\n";
  }
  const auto path = write_file(dir / "tags.csv", csv);
  const json recipe{{"seed", 42},
                    {"reader", {{"name", "protein.csv"}, {"path", path}}},
                    {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
                    {"inputs", {{{"name", "protein.sequence"}, {"max_len", 32}, {"pad_to_max", true}}}},
                    {"target", {{"name", "protein.residue_labels"}, {"max_len", 32}}},
                    {"transforms", {{{"name", "protein.random_crop"}, {"min_fraction", 0.8}}}},
                    {"loader", {{"batch_size", 32}}},
                    {"model", {{"name", "protein.cnn"}, {"channels", 32}, {"emb_dim", 16}, {"dilations", {1}}, {"kernel_size", 3}, {"dropout", 0.0}}},
                    {"metrics", {"core.accuracy"}},
                    {"train", {{"schedule", "one_cycle"}, {"epochs", 5}, {"lr", 5e-3}}},
                    {"interpret", {{"top_losses", 0}, {"confusion_matrix", false}}}};
  std::ostringstream log;
  auto result = train_recipe(recipe, quiet_run(dir / "run", log), protein_registry());
  const double accuracy = result.metrics["valid"]["accuracy"];
  std::cout << "protein per-residue tagging: valid accuracy " << accuracy << "\n";
  EXPECT_GT(accuracy, 0.95) << log.str();
  auto predictor = Predictor::load(result.model_file, protein_registry());
  Records rows({"sequence", "labels"}, "t");
  rows.add_row({"AKKVDE", "hpphpp"}, "a");
  auto p = predictor.predict(rows);
  EXPECT_EQ(p[0]["labels"], "hpphpp") << p[0].dump();
  std::filesystem::remove_all(dir);
}

// The demo at its default size (about 8 s): it must beat the composition baseline clearly, since
// helix and coil share their composition and only the order tells them apart.
TEST(ProteinDemo, DefaultDemoPretrainsFineTunesBeatsCompositionAndPredicts) {
  set_num_threads(2);
  auto dir = temp_dir("demo");
  auto demo = protein_registry().demo(json{{"name", "protein.demo"}}, "demo");
  ::testing::internal::CaptureStdout();
  demo->generate(dir / "data", 42);
  // Standard output is the host's (`adapt demo --json`): the pretraining logs to a file.
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  ASSERT_TRUE(std::filesystem::exists(dir / "data" / "pretrain" / "model.adapt"));
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "pretrain.log"));
  std::ostringstream log;
  auto result = train_recipe(demo->recipe(dir / "data"), quiet_run(dir / "run", log), protein_registry());
  const double accuracy = result.metrics["valid"]["accuracy"];
  const double baseline = result.baselines["protein.composition_logistic"]["valid"]["accuracy"];
  std::cout << "protein demo: valid accuracy " << accuracy << ", composition baseline " << baseline << "\n";
  EXPECT_GT(accuracy, 0.9) << log.str();  // measured 0.978
  EXPECT_LT(baseline, 0.7);                // measured 0.583: composition sees the motif, not the helix
  auto predictor = Predictor::load(result.model_file, protein_registry());
  auto predictions = predictor.predict_inputs(demo->predict_inputs(dir / "data"));
  ASSERT_EQ(predictions.size(), 3u);
  const std::vector<std::string> expected{"helix", "coil", "motif"};
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(predictions[i]["label"], expected[i]) << predictions[i].dump();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace adapt::protein
