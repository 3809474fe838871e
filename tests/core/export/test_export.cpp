#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "adapt/common/version.h"
#include "adapt/data/csv.h"
#include "adapt/export/export.h"
#include "adapt/model/mlp_model.h"
#include "adapt/run/train_recipe.h"
#include "adapt/train/checkpoint.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"

using namespace adapt;
using namespace adapt::testing;

namespace {
RunResult train_small(const std::filesystem::path& dir, const Registry& registry, json recipe) {
  std::ostringstream out;
  RunOptions options;
  options.out_dir = dir / "run";
  options.out = &out;
  options.progress = false;
  return train_recipe(recipe, options, registry);
}
}  // namespace

TEST(Export, ReloadedModelPredictsBitForBit) {
  TempDir dir("export");
  auto& registry = core_test_registry();
  RunResult run = train_small(dir.path, registry, rings_recipe(dir.path, 600, 2));
  ASSERT_TRUE(std::filesystem::exists(run.model_file));

  Predictor predictor = Predictor::load(run.model_file, registry);
  Records records = read_csv_file((dir.path / "rings.csv").string());
  auto expected = run.learner->outputs(records);
  auto got = predictor.outputs(records);
  ASSERT_EQ(expected.sizes(), got.sizes());
  EXPECT_TRUE(torch::equal(expected, got));
  auto decoded = predictor.predict(records);
  auto learner_decoded = run.learner->predict(records);
  ASSERT_EQ(decoded.size(), records.size());
  // The export adds the temperature fitted on valid: the same labels, the probabilities softmax(z / T).
  const double t = predictor.temperature();
  EXPECT_EQ(t, run.calibration["temperature"].get<double>());
  const auto classes = predictor.blocks()->target().block->classes();
  for (size_t i = 0; i < decoded.size(); ++i) {
    ASSERT_EQ(decoded[i]["label"], learner_decoded[i]["label"]) << "row " << i;
    const torch::Tensor p = torch::softmax(expected[static_cast<int64_t>(i)] / t, 0);
    for (size_t c = 0; c < classes.size(); ++c)
      ASSERT_NEAR(decoded[i]["probabilities"][classes[c]].get<double>(), p[static_cast<int64_t>(c)].item<double>(), 1e-6);
  }

  // Manifest: recipe with defaults filled, plugins, block state.
  const json& m = predictor.manifest();
  EXPECT_EQ(m["format"], "adapt-model");
  EXPECT_EQ(m["plugins"]["core"], version());
  EXPECT_TRUE(m["recipe"]["model"].contains("dropout"));  // default filled in
  EXPECT_TRUE(m["blocks"].contains("y"));

  // Raw command-line inputs: CSV rows of the input columns, or name=value pairs.
  auto a = predictor.predict_inputs({"0.1,0.1,0,0", "x1=0.1,x2=0.1,x3=0,x4=0"});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0], a[1]);
  EXPECT_TRUE(a[0].contains("label"));
  EXPECT_THROW(predictor.predict_inputs({"1,2"}), DataError);
  EXPECT_THROW(predictor.predict_inputs({"x1=1,x9=2"}), DataError);
}

TEST(Export, EmbeddingsAreTheLastHiddenLayerThatTheHeadReads) {
  TempDir dir("export_embed");
  auto& registry = core_test_registry();
  RunResult run = train_small(dir.path, registry, rings_recipe(dir.path, 300, 1));
  Predictor predictor = Predictor::load(run.model_file, registry);
  Records records = predictor.read_inputs({"0.1,0.1,0,0", "0.9,-0.4,0.2,0", "x1=1,x2=0,x3=0,x4=0.5"});
  ASSERT_EQ(records.size(), 3u);
  torch::Tensor embeddings = predictor.embeddings(records);
  ASSERT_EQ(embeddings.sizes(), (std::vector<int64_t>{3, 32}));  // layers {64, 32}
  // Known answer: the output layer applied to the embedding gives the model's outputs.
  std::shared_ptr<torch::nn::Module> head;
  for (const auto& child : predictor.model()->named_children())
    if (child.key() == "head") head = child.value();
  ASSERT_NE(head, nullptr);
  torch::NoGradGuard no_grad;
  torch::Tensor via_head = head->as<torch::nn::Linear>()->forward(embeddings);
  EXPECT_TRUE(torch::allclose(via_head, predictor.outputs(records), 1e-5, 1e-6));
}

TEST(Export, MissingPluginIsRefusedByName) {
  TempDir dir("export_plugin");
  Registry registry;
  register_core_components(registry);
  registry.begin_plugin("fakeplugin", "/nonexistent/libfakeplugin.so", "1.4.2");
  registry.add_model("fakeplugin.mlp", "an MLP registered by a pretend plugin", {},
                     [](const Options&, const ModelContext& ctx) -> std::shared_ptr<Model> {
                       MlpOptions o;
                       o.in_features = input_width(ctx, "x");
                       o.out_features = ctx.n_outputs;
                       o.layers = {8};
                       return std::make_shared<MlpModel>(o);
                     });
  registry.end_plugin();
  json recipe = rings_recipe(dir.path, 300, 1);
  recipe["model"] = {{"name", "fakeplugin.mlp"}};
  recipe.erase("baselines");
  RunResult run = train_small(dir.path, registry, recipe);

  auto& core_only = core_test_registry();
  try {
    Predictor::load(run.model_file, core_only);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("fakeplugin"), std::string::npos) << m;
    EXPECT_NE(m.find("not loaded"), std::string::npos) << m;
  }
  // With the plugin present it loads.
  EXPECT_NO_THROW(Predictor::load(run.model_file, registry));
  // The export records the version from the Registry it was given (no global plugin host involved),
  // and a registry holding another major version of the plugin refuses it.
  EXPECT_EQ(read_manifest(run.model_file)["plugins"]["fakeplugin"], "1.4.2");
  EXPECT_EQ(registry.plugin_version("fakeplugin"), "1.4.2");
  EXPECT_EQ(registry.plugin_version("core"), version());
  EXPECT_EQ(registry.plugin_version("absent"), "");
  Registry newer;
  register_core_components(newer);
  newer.begin_plugin("fakeplugin", "/nonexistent/libfakeplugin.so", "2.0.0");
  newer.add_model("fakeplugin.mlp", "the same name from another major version", {},
                  [](const Options&, const ModelContext&) -> std::shared_ptr<Model> { return nullptr; });
  newer.end_plugin();
  EXPECT_THROW_WITH(Predictor::load(run.model_file, newer), Error, "fakeplugin", "1.4.2", "2.0.0");
}

TEST(Export, IncompatibleVersionsAreRefused) {
  auto& registry = core_test_registry();
  json manifest = {{"recipe", {{"reader", {{"name", "core.csv"}}}}}, {"plugins", {{"core", "7.0.0"}}}};
  try {
    check_plugins(manifest, registry, "model file m.adapt");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("7.0.0"), std::string::npos) << m;
    EXPECT_NE(m.find(version()), std::string::npos) << m;
  }
  manifest["plugins"]["core"] = version();
  EXPECT_NO_THROW(check_plugins(manifest, registry, "m"));
  manifest["recipe"]["model"] = {{"name", "core.no_such_model"}};
  EXPECT_THROW(check_plugins(manifest, registry, "m"), Error);
}

TEST(Export, DamagedOrForeignFilesAreRefused) {
  TempDir dir("export_bad");
  write_file(dir.path / "x.adapt", "this is not a zip archive");
  EXPECT_THROW(Predictor::load(dir.path / "x.adapt", core_test_registry()), Error);
  EXPECT_THROW(Predictor::load(dir.path / "absent.adapt", core_test_registry()), Error);
}

// Found by fuzz/manifest_fuzzer: a sealed export whose manifest lacked "recipe", or held a field of
// another type, threw nlohmann::json's out_of_range or type_error, which names no file.
TEST(Export, AManifestOfTheWrongShapeIsRefusedNamingTheFile) {
  TempDir dir("export_manifest");
  const auto file = dir.path / "m.adapt";
  const auto expect_refused = [&](const json& manifest, const std::string& fragment) {
    torch::serialize::OutputArchive archive, weights;
    write_json(archive, "manifest", manifest);
    archive.write("model", weights);
    save_archive(archive, file);
    EXPECT_THROW_WITH(Predictor::load(file, core_test_registry()), Error, file.string(), fragment);
  };
  const json good = {{"format", "adapt-model"}, {"format_version", 1}, {"recipe", json::object()},
                     {"blocks", json::object()}, {"plugins", json::object()}};
  json m = good;
  m.erase("recipe");
  expect_refused(m, "no \"recipe\" object");
  m = good;
  m["format"] = 7;
  expect_refused(m, "not an adapt model export (format 7)");
  m = good;
  m["format_version"] = "1";
  expect_refused(m, "format_version is \"1\", not an integer");
  m = good;
  m["recipe"] = {{"inputs", 3}};
  expect_refused(m, "its manifest does not describe a model");
}

namespace {
std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

// Every byte of an export, flipped one at a time at positions spread over the file: the load is
// refused with a message naming the file, or (a byte of zip padding) the model predicts exactly as
// before. Before exports were sealed, a flipped weight loaded silently and changed predictions.
TEST(Export, AFlippedByteIsRefusedOrHarmless) {
  TempDir dir("export_flip");
  auto& registry = core_test_registry();
  RunResult run = train_small(dir.path, registry, rings_recipe(dir.path, 200, 1));
  Records records = read_csv_file((dir.path / "rings.csv").string());
  const torch::Tensor expected = Predictor::load(run.model_file, registry).outputs(records);
  const std::string original = read_bytes(run.model_file);
  const std::filesystem::path damaged = dir.path / "damaged.adapt";
  size_t refused = 0, positions = 0;
  for (size_t at = 0; at < original.size(); at += std::max<size_t>(1, original.size() / 300), ++positions) {
    std::string bytes = original;
    bytes[at] = static_cast<char>(bytes[at] ^ 0x10);
    write_file(damaged, bytes);
    try {
      torch::Tensor got = Predictor::load(damaged, registry).outputs(records);
      EXPECT_TRUE(torch::equal(expected, got)) << "a flipped byte at offset " << at << " loaded and changed predictions";
    } catch (const Error& e) {
      ++refused;
      EXPECT_NE(std::string(e.what()).find(damaged.string()), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(refused, positions * 8 / 10) << "most bytes of an export are content: flipping one must be caught";
}

// Found by fuzz/archive_fuzzer: opening an archive, LibTorch compiles the TorchScript code stored in
// it, and one flipped byte there ("__parameters__" -> "__parametersO_") segfaulted its type parser
// before the seal was checked. load_archive reads the sealed entries as raw records now, so that code
// is never compiled: every byte of it flipped loads exactly as before (or is refused).
TEST(Export, DamagedTorchScriptCodeInTheFileIsNeverCompiled) {
  TempDir dir("export_code");
  auto& registry = core_test_registry();
  RunResult run = train_small(dir.path, registry, rings_recipe(dir.path, 200, 1));
  Records records = read_csv_file((dir.path / "rings.csv").string());
  const torch::Tensor expected = Predictor::load(run.model_file, registry).outputs(records);
  const std::string original = read_bytes(run.model_file);
  const size_t code = original.rfind("class Module(Module):");  // the outer file's, after the sealed one
  ASSERT_NE(code, std::string::npos);
  const std::string last_line = "adapt_sealed : Tensor\n";
  const size_t end = original.find(last_line, code) + last_line.size();
  const std::filesystem::path damaged = dir.path / "damaged.adapt";
  for (size_t at = code; at < end; ++at) {
    std::string bytes = original;
    bytes[at] = static_cast<char>(bytes[at] ^ 0x10);
    write_file(damaged, bytes);
    try {
      EXPECT_TRUE(torch::equal(expected, Predictor::load(damaged, registry).outputs(records))) << "offset " << at;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(damaged.string()), std::string::npos) << e.what();
    }
  }
}

TEST(Export, TheChecksumNamesTheDamagedEntry) {
  TempDir dir("export_seal");
  auto& registry = core_test_registry();
  RunResult run = train_small(dir.path, registry, rings_recipe(dir.path, 200, 1));
  std::string bytes = read_bytes(run.model_file);
  // The weights are the largest part of the sealed entry, near the middle of the file.
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  write_file(run.model_file, bytes);
  test_support::expect_error<Error>([&] { Predictor::load(run.model_file, registry); },
                      {run.model_file.string(), "is damaged", "adapt_sealed", "checksum"});
}

// Found by fuzzing: an entry whose size claims gigabytes made LibTorch's reader allocate them. It is
// refused from the central directory, naming the entry, before the reader opens the file.
TEST(Export, AnEntryClaimingMoreBytesThanTheFileIsRefused) {
  TempDir dir("export_huge_entry");
  auto& registry = core_test_registry();
  RunResult run = train_small(dir.path, registry, rings_recipe(dir.path, 200, 1));
  std::string bytes = read_bytes(run.model_file);
  const size_t entry = bytes.rfind(std::string("PK\x01\x02", 4));  // the outer zip's last entry
  ASSERT_NE(entry, std::string::npos);
  for (size_t i = 0; i < 4; ++i) bytes[entry + 24 + i] = static_cast<char>(i == 3 ? 0x7f : 0xff);  // 2 GiB
  const auto forged = dir.path / "forged.adapt";
  write_file(forged, bytes);
  EXPECT_THROW_WITH(Predictor::load(forged, registry), Error, "forged.adapt is damaged", "claims 2147483647 bytes",
                    "more than the whole file");
}

// Found by fuzzing: LibTorch's reader takes the central directory from the ZIP64 end record when a
// locator points to one, so a directory that only that record names must be checked too. Here the
// plain end record still names the genuine directory; the ZIP64 one names a copy with a forged size.
TEST(Export, AnEntryClaimingMoreBytesThanTheFileIsRefusedThroughTheZip64EndRecord) {
  TempDir dir("export_huge_entry_zip64");
  auto& registry = core_test_registry();
  RunResult run = train_small(dir.path, registry, rings_recipe(dir.path, 200, 1));
  std::string bytes = read_bytes(run.model_file);
  const auto get = [&](size_t at) { uint64_t v = 0; for (int i = 7; i >= 0; --i) v = v << 8 | uint8_t(bytes[at + i]); return v; };
  const auto put = [&](size_t at, uint64_t v, int width) { for (int i = 0; i < width; ++i) bytes[at + i] = char(v >> (8 * i)); };
  const size_t record = bytes.rfind(std::string("PK\x06\x06", 4)), locator = bytes.rfind(std::string("PK\x06\x07", 4));
  ASSERT_NE(record, std::string::npos);
  ASSERT_NE(locator, std::string::npos);
  std::string copy = bytes.substr(get(record + 48), get(record + 40));
  const size_t entry = copy.rfind(std::string("PK\x01\x02", 4));
  ASSERT_NE(entry, std::string::npos);
  for (size_t i = 0; i < 4; ++i) copy[entry + 24 + i] = static_cast<char>(i == 3 ? 0x7f : 0xff);  // 2 GiB
  bytes.insert(record, copy);
  put(record + copy.size() + 48, record, 8);                          // the ZIP64 record names the copy
  put(locator + copy.size() + 8, record + copy.size(), 8);            // and the locator the moved record
  const auto forged = dir.path / "forged.adapt";
  write_file(forged, bytes);
  EXPECT_THROW_WITH(Predictor::load(forged, registry), Error, "forged.adapt is damaged", "claims 2147483647 bytes",
                    "more than the whole file");
}
