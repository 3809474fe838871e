// Real data: the Free Spoken Digit Dataset from ADAPT_DATA_DIR (skipped when it is absent).
//  - golden: two real clips through the audio.mel / audio.mfcc blocks against torchaudio outputs.
//  - the official split (recordings 0-4 of every speaker and digit are test): target 99.5 % accuracy.
//  - speaker held out (train on five speakers, test on all 500 clips of yweweler): target 85 %.
//  Each asserts a floor below its measured run-to-run spread (bench/README.md).
// Settings were chosen on validation splits carved from the training clips (the DISABLED_ test
// below); the test clips are only scored, once, after training.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/export/detect_drift.h"
#include "adapt/metrics/metrics.h"
#include "adapt/run/html_report.h"
#include "adapt/run/train_recipe.h"
#include "audio_test_util.h"
#include "support/test_seed.h"

using adapt::json;
using namespace audio_test;

namespace {

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

fs::path fsdd_dir() {
  const char* root = std::getenv("ADAPT_DATA_DIR");
  if (!root || !*root) return {};
  fs::path dir = fs::path(root) / "audio/free-spoken-digit-dataset/recordings";
  return fs::is_directory(dir) ? dir : fs::path();
}

#define SKIP_WITHOUT_FSDD()                                                             \
  const fs::path recordings = fsdd_dir();                                               \
  if (recordings.empty()) GTEST_SKIP() << "ADAPT_DATA_DIR with audio/free-spoken-digit-dataset not set"

struct Clip {
  std::string path, digit, speaker;
  int index;
};

std::vector<Clip> clips(const fs::path& recordings) {
  std::vector<Clip> out;
  for (const auto& entry : fs::directory_iterator(recordings)) {
    const std::string name = entry.path().stem().string();  // digit_speaker_index
    const auto a = name.find('_'), b = name.rfind('_');
    if (entry.path().extension() != ".wav" || a == std::string::npos || a == b) continue;
    out.push_back({entry.path().string(), name.substr(0, a), name.substr(a + 1, b - a - 1), std::stoi(name.substr(b + 1))});
  }
  std::sort(out.begin(), out.end(), [](const Clip& x, const Clip& y) { return x.path < y.path; });
  return out;
}

// Writes path,label,speaker,split for the protocol's parts and returns the CSV path.
template <typename PartOf>
fs::path write_split(const fs::path& dir, const std::vector<Clip>& all, PartOf part_of) {
  std::ostringstream csv;
  csv << "path,label,speaker,split\n";
  for (const auto& c : all) csv << c.path << "," << c.digit << "," << c.speaker << "," << part_of(c) << "\n";
  const fs::path file = dir / "fsdd.csv";
  std::ofstream(file) << csv.str();
  return file;
}

// The recipes chosen on validation (the DISABLED_ test; audio/README.md has the figures): log-mel
// with per-band statistics from the training clips and a 4-stage CNN trained with one-cycle.
// `augment` adds waveform gain/shift/noise, resized crops (pitch/tempo-like stretches), SpecAugment
// and mixup, and random crops of the training clips: that earns a new voice (the speaker protocol)
// but costs known voices (the late protocol: 0.980 with it, 0.997 and 1.000 without), so the
// official split trains plain.
enum class Augment { none, voices };

json fsdd_recipe(const fs::path& csv, int epochs, Augment augment) {
  json recipe = {
      {"seed", 42},
      {"reader", {{"name", "audio.csv"}, {"path", csv.string()}}},
      {"splitter", {{"name", "core.by_column"}, {"column", "split"}}},
      {"inputs", json::array({{{"name", "audio.mel"},
                               {"sample_rate", 8000},
                               {"duration", 1.0},
                               {"n_fft", 256},
                               {"hop_length", 80},
                               {"n_mels", 64},
                               {"normalize", "global"}}})},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"transforms", json::array({{{"name", "audio.time_shift"}, {"max_fraction", 0.1}, {"roll", false}},
                                  {{"name", "audio.gain"}, {"max_db", 6}},
                                  {{"name", "audio.noise"}, {"min_snr_db", 15}, {"max_snr_db", 40}, {"p", 0.3}},
                                  {{"name", "audio.random_resized_crop"}, {"min_scale", 0.7}, {"p", 0.5}},
                                  {{"name", "audio.spec_augment"}, {"freq_width", 8}, {"time_width", 12}},
                                  {{"name", "audio.mixup"}, {"alpha", 0.4}, {"p", 0.5}}})},
      {"loader", {{"batch_size", 64}, {"workers", 1}}},
      {"model", {{"name", "audio.cnn"}, {"channels", {32, 64, 128, 256}}, {"dropout", 0.3}}},
      {"metrics", json::array({"core.accuracy"})},
      {"train", {{"schedule", "one_cycle"}, {"epochs", epochs}, {"lr", 4e-3}}},
      {"baselines", json::array({{{"name", "audio.band_stats"}}})},
      {"interpret", {{"top_losses", 0}, {"confusion_matrix", false}}},
  };
  if (augment == Augment::none) {
    recipe["transforms"] = json::array();
    recipe["inputs"][0]["random_crop"] = false;
  }
  return recipe;
}

// These train on every core; ctest may run another test beside them (tests/CMakeLists.txt: LONG).
adapt::RunResult train(const fs::path& dir, const json& recipe, std::ostringstream& log) {
  adapt::set_num_threads(0);
  adapt::RunOptions options;
  options.out_dir = dir / "run";
  options.out = &log;
  options.progress = false;
  options.write_files = false;
  options.final_run = true;  // settings fixed in advance; the floors are on the test part
  const auto start = std::chrono::steady_clock::now();
  auto result = adapt::train_recipe(adapt::test_support::with_test_seed(recipe), options, registry());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << log.str() << "trained and scored in " << seconds << " s\n";
  return result;
}

int epochs() {
  const char* e = std::getenv("ADAPT_FSDD_EPOCHS");  // for tuning runs only; the test's setting is 12
  return e ? std::atoi(e) : 12;
}

}  // namespace

TEST(AudioFsdd, GoldenRealClipsMatchTorchaudio) {
  SKIP_WITHOUT_FSDD();
  std::ifstream in(fs::path(ADAPT_TEST_SOURCE_DIR) / "tests/audio/golden/manifest.json");
  const json manifest = json::parse(in);
  ASSERT_FALSE(manifest["fsdd"].empty()) << "regenerate the fixtures with ADAPT_DATA_DIR set";
  for (const auto& c : manifest["fsdd"]) {
    SCOPED_TRACE(c["output"].get<std::string>());
    json spec = c["options"];
    spec.erase("log");
    spec["name"] = "audio." + c["kind"].get<std::string>();
    spec["duration"] = c["duration"];
    spec["normalize"] = "none";
    auto block = registry().block(spec, "inputs[0]");
    adapt::Records records({"path"}, "fsdd");
    records.add_row({(recordings / c["clip"].get<std::string>()).string()});
    adapt::EncodeContext ctx;
    ctx.split = adapt::Split::valid;
    auto ours = block->encode(records, 0, ctx).at("").squeeze(0);
    std::ifstream f(fs::path(ADAPT_TEST_SOURCE_DIR) / "tests/audio/golden" / c["output"].get<std::string>(),
                    std::ios::binary);
    auto shape = c["shape"].get<std::vector<int64_t>>();
    auto expected = torch::empty(shape, torch::kFloat32);
    f.read(reinterpret_cast<char*>(expected.data_ptr<float>()), static_cast<std::streamsize>(expected.numel() * 4));
    ASSERT_EQ(ours.sizes(), expected.sizes());
    const double err = ((ours - expected).abs().max() / expected.abs().max()).item<double>();
    std::cout << "  " << c["output"].get<std::string>() << ": max relative error " << err << "\n";
    EXPECT_LE(err, 1e-4);
  }
}

TEST(AudioFsdd, OfficialSplit) {
  SKIP_WITHOUT_FSDD();
  TempDir dir("fsdd_official");
  auto all = clips(recordings);
  ASSERT_EQ(all.size(), 3000u);
  // Test: recordings 0-4 (upstream README). Every other clip trains: the settings come from the
  // tuning protocol below, so this run needs no validation part (a refit, docs/recipes.md).
  auto csv = write_split(dir.path, all, [](const Clip& c) { return c.index <= 4 ? "test" : "train"; });
  json recipe = fsdd_recipe(csv, epochs(), Augment::none);
  recipe["splitter"]["valid_values"] = json::array();
  recipe["interpret"]["top_losses"] = 5;  // the log names the test clips it gets wrong
  std::ostringstream log;
  auto result = train(dir.path, recipe, log);
  EXPECT_FALSE(result.metrics.contains("valid"));
  const double test = result.metrics["test"]["accuracy"];
  const double baseline = result.baselines["audio.band_stats"]["test"]["accuracy"];
  std::cout << "FSDD official split: CNN test accuracy " << test << ", band-stats baseline " << baseline << "\n";
  // The target: at most 1 of 300 wrong (0.995). Measured 1.000 (0 wrong) in 12 epochs at 2
  // threads with seeds 42, 1 and 2 (bench/spread/run.sh, 2026-12-01); the augmented recipe gave
  // 0.983-0.987 (audio/README.md). The floor allows 3 wrong, below the spread on any machine.
  EXPECT_GE(test, 0.99);
  EXPECT_GT(test, baseline);
}

TEST(AudioFsdd, SpeakerHeldOut) {
  SKIP_WITHOUT_FSDD();
  TempDir dir("fsdd_speaker");
  auto all = clips(recordings);
  // Test: every clip of yweweler. Valid: every 10th recording of the five training speakers.
  auto csv = write_split(dir.path, all, [](const Clip& c) {
    return c.speaker == "yweweler" ? "test" : c.index % 10 == 0 ? "valid" : "train";
  });
  std::ostringstream log;
  json recipe = fsdd_recipe(csv, epochs(), Augment::voices);
  recipe["slices"] = {"speaker"};  // per-speaker accuracy: five voices on valid, the new one on test
  auto result = train(dir.path, recipe, log);
  const json& by_speaker = result.slices["speaker"];
  ASSERT_EQ(by_speaker["valid"].size(), 5u) << by_speaker.dump();
  ASSERT_EQ(by_speaker["test"].size(), 1u) << by_speaker.dump();
  EXPECT_EQ(by_speaker["test"][0]["value"], "yweweler");
  EXPECT_DOUBLE_EQ(by_speaker["test"][0]["accuracy"].get<double>(), result.metrics["test"]["accuracy"].get<double>());
  const double test = result.metrics["test"]["accuracy"];
  const double baseline = result.baselines["audio.band_stats"]["test"]["accuracy"];
  std::cout << "FSDD speaker held out (yweweler): CNN test accuracy " << test << ", band-stats baseline " << baseline
            << "\n";
  // The target is 0.85; seeds 42, 1 and 2 gave 0.860, 0.864, 0.852 (bench/spread/run.sh,
  // 2026-12-01). The floor sits below that spread.
  EXPECT_GE(test, 0.82);
  EXPECT_GT(test, baseline);
}

// Out-of-domain scores and drift (issue 22) on a model that never heard yweweler. Train: the five
// other speakers' recordings 2-9, 12-19, ...; valid: recordings 0, 10, 20, ...; held back: recordings
// 1, 11, 21, ... (the test part, left sealed and not scored). A short budget: this test asks how the
// export's monitor behaves, not how accurate the model is.
//  - out of domain: held-back clips (in domain) against the audio demo's synthetic sounds and, where
//    espeak-ng is installed, spoken words that are not digits: the target AUROC is 0.90;
//  - drift: yweweler's clips drift; 20 seeded resamples of the held-back clips raise at most 1 alarm.
TEST(AudioFsdd, OutOfDomainScoresAndDriftOnAnUnseenSpeaker) {
  SKIP_WITHOUT_FSDD();
  TempDir dir("fsdd_monitor");
  std::vector<Clip> known;
  std::vector<std::string> unseen_speaker, held_back;
  for (const auto& c : clips(recordings)) {
    if (c.speaker == "yweweler") unseen_speaker.push_back(c.path);
    else known.push_back(c);
    if (c.speaker != "yweweler" && c.index % 10 == 1) held_back.push_back(c.path);
  }
  auto csv = write_split(dir.path, known, [](const Clip& c) {
    return c.index % 10 == 0 ? "valid" : c.index % 10 == 1 ? "test" : "train";
  });
  adapt::set_num_threads(0);
  std::ostringstream log;
  adapt::RunOptions options;
  options.out_dir = dir.path / "run";
  options.out = &log;
  options.progress = false;
  json recipe = fsdd_recipe(csv, 4, Augment::none);
  recipe["interpret"]["top_losses"] = 10;  // report.html draws each: spectrogram, player, explanation
  const auto started = std::chrono::steady_clock::now();
  auto result = adapt::train_recipe(adapt::test_support::with_test_seed(recipe), options, registry());
  const double run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << log.str();
  // The budgets: report.html under 5 MB for the FSDD run, and writing it at most 1 s or 2% of
  // the run, whichever is larger.
  const fs::path report = dir.path / "run" / "report.html";
  ASSERT_TRUE(fs::exists(report)) << log.str();
  EXPECT_LE(fs::file_size(report), 5u << 20);
  std::ifstream page(report);
  const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_EQ(count_of(html, "<audio controls"), 10u);
  EXPECT_EQ(count_of(html, "src=\"data:image/png;base64,"), 10u);
  EXPECT_EQ(count_of(html, "<section class=\"explanation\">"), 10u);
  const auto rebuild = std::chrono::steady_clock::now();
  adapt::write_html_report(dir.path / "run");
  const double report_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - rebuild).count();
  std::cout << "FSDD report.html: " << fs::file_size(report) / 1024 << " kB, written in " << report_seconds
            << " s (run " << run_seconds << " s)\n";
  EXPECT_LE(report_seconds, std::max(1.0, 0.02 * run_seconds));
  const adapt::Predictor model = adapt::Predictor::load(result.model_file, registry());

  // Scores of clips (in-domain positive in the AUROC: lower scores first).
  auto scores = [&](const std::vector<std::string>& paths) {
    return model.domain_scores(model.outputs_and_features(model.read_inputs(paths)));
  };
  std::vector<std::string> synthetic, words;
  auto demo = registry().demo(json{{"name", "audio.demo"}, {"n_per_class", 25}}, "demo");
  demo->generate(dir.path / "demo", 3);
  for (const auto& e : fs::recursive_directory_iterator(dir.path / "demo" / "train"))
    if (e.path().extension() == ".wav") synthetic.push_back(e.path().string());
  if (std::system("espeak-ng --version > /dev/null 2>&1") == 0) {
    const char* spoken[] = {"apple", "house", "window", "yellow", "river", "music", "table", "orange", "garden",
                            "monkey", "purple", "hello", "thunder", "pencil", "bottle", "summer", "coffee", "planet",
                            "silver", "doctor"};
    int i = 0;
    for (const char* word : spoken)
      for (const char* voice : {"en", "en-us"}) {
        const fs::path wav = dir.path / ("word_" + std::to_string(i++) + ".wav");
        const std::string cmd = std::string("espeak-ng -v ") + voice + " -w '" + wav.string() + "' " + word;
        if (std::system(cmd.c_str()) == 0 && fs::exists(wav)) words.push_back(wav.string());
      }
  }
  const torch::Tensor in = scores(held_back);
  const double accepted = (in <= model.monitor().out_of_domain.threshold()).to(torch::kDouble).mean().item<double>();
  auto auroc = [&](const std::vector<std::string>& away) {
    const torch::Tensor out = scores(away);
    return adapt::binary_auroc(-torch::cat({in, out}).to(torch::kFloat),
                               torch::cat({torch::ones({in.size(0)}), torch::zeros({out.size(0)})}));
  };
  const double synthetic_auroc = auroc(synthetic);
  std::cout << "FSDD out of domain: held-back clips accepted " << accepted << " (target 0.95 +- 0.03); AUROC against "
            << synthetic.size() << " synthetic sounds " << synthetic_auroc;
  EXPECT_GE(synthetic_auroc, 0.85);
  if (!words.empty()) {
    std::vector<std::string> away = synthetic;
    away.insert(away.end(), words.begin(), words.end());
    const double words_auroc = auroc(words), both = auroc(away);
    std::cout << ", " << words.size() << " spoken words " << words_auroc << ", both " << both;
    EXPECT_GE(both, 0.85);
  }
  std::cout << "\n";
  EXPECT_GE(accepted, 0.85);

  std::ostringstream quiet;
  adapt::DetectDriftOptions drift;
  drift.out = &quiet;
  const json speaker = adapt::detect_drift(model, model.read_inputs(unseen_speaker), drift);
  EXPECT_TRUE(speaker["drift"].get<bool>()) << speaker.dump(2);
  int alarms = 0;
  std::mt19937_64 rng(11);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<std::string> sample = held_back;
    std::shuffle(sample.begin(), sample.end(), rng);
    sample.resize(150);
    drift.tests.seed = seed;
    const json r = adapt::detect_drift(model, model.read_inputs(sample), drift);
    if (r["drift"].get<bool>()) ++alarms, std::cout << "false alarm: " << r["findings"].dump() << "\n";
  }
  std::cout << "FSDD drift: unseen speaker " << speaker["findings"].dump() << "; false alarms " << alarms
            << " of 20 resamples of held-back clips\n";
  EXPECT_LE(alarms, 1);
}

// Tuning protocols (not run by default; run with --gtest_also_run_disabled_tests). None sees a test
// clip. ADAPT_FSDD_PROTOCOL=speaker (the default; for the speaker-held-out split): train on four
// speakers, validate on all of lucas, yweweler excluded. For the official split, whose test speakers
// also train, recordings 0-4 are always excluded and: ADAPT_FSDD_PROTOCOL=recordings trains on
// recordings 10-49 and validates on 5-9 (the takes next to the test's, with no training take
// before them); ADAPT_FSDD_PROTOCOL=late trains on 5-44 and validates on 45-49 (the session's other
// end, with its neighbours in training, as the test's are). ADAPT_FSDD_PATCH merges a JSON patch
// into the recipe.
TEST(AudioFsdd, DISABLED_ValidationForTuning) {
  SKIP_WITHOUT_FSDD();
  TempDir dir("fsdd_tune");
  const char* protocol_env = std::getenv("ADAPT_FSDD_PROTOCOL");
  const std::string protocol = protocol_env ? protocol_env : "speaker";
  ASSERT_TRUE(protocol == "speaker" || protocol == "recordings" || protocol == "late")
      << "ADAPT_FSDD_PROTOCOL: speaker, recordings or late";
  std::vector<Clip> all;
  for (auto& c : clips(recordings))
    if (protocol == "speaker" ? c.speaker != "yweweler" : c.index >= 5) all.push_back(c);
  auto csv = write_split(dir.path, all, [&](const Clip& c) {
    const bool valid = protocol == "speaker" ? c.speaker == "lucas" : protocol == "recordings" ? c.index <= 9 : c.index >= 45;
    return valid ? "valid" : "train";
  });
  // The speaker protocol tunes the augmented recipe, the official split's protocols the plain one.
  json recipe = fsdd_recipe(csv, epochs(), protocol == "speaker" ? Augment::voices : Augment::none);
  if (const char* patch = std::getenv("ADAPT_FSDD_PATCH")) recipe.merge_patch(json::parse(patch));
  std::ostringstream log;
  auto result = train(dir.path, recipe, log);
  std::cout << "tuning (" << protocol << " protocol): CNN valid accuracy " << result.metrics["valid"]["accuracy"]
            << ", band-stats baseline " << result.baselines["audio.band_stats"]["valid"]["accuracy"] << "\n";
}
