// Audio throughput on the Free Spoken Digit Dataset (ADAPT_DATA_DIR), to compare side by side with
// bench/audio/peers/*.py (torchaudio 0.13, python soundfile, a PyTorch CNN):
//   decode   WAV decoding (libsndfile), seconds of audio per second, one thread
//   mel      mel spectrogram (8 kHz, n_fft 256, hop 80, 64 mels, power, no log) one clip per call,
//            then batches of 64 clips zero-padded to the longest; one thread and all threads
//   logmel   the same with dB (top_db 80), as the audio.mel block computes it
//   epoch    one training epoch of audio.cnn [32,64,128,256] on 64x101 log-mels (2,700 clips,
//            batch 64, AdamW), training-loop samples per second, with 1 thread and with all threads
// Usage: bench_audio [--repeat N] [--skip-train] [--skip-features] [--train-threads N] [--json FILE]
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "adapt/common/memory.h"
#include "adapt/common/threads.h"
#include "adapt/plugin/plugin_host.h"
#include "adapt/run/train_recipe.h"
#include "adapt/train/callbacks.h"
#include "adapt/train/learner.h"
#include "step_profile.h"
#include "audio_file.h"
#include "feature_extractor.h"

namespace fs = std::filesystem;
using adapt::json;
using namespace adapt::audio;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

FeatureExtractor mel_extractor(LogMode log) {
  FeatureOptions o;
  o.sample_rate = 8000;
  o.n_fft = 256;
  o.hop_length = 80;
  o.n_mels = 64;
  o.log = log;
  o.top_db = 80.0;
  return FeatureExtractor(FeatureKind::mel, o);
}

// Seconds of audio per second for `run(clip range)` over `threads` threads, best of `repeat`.
template <typename Run>
double throughput(size_t n_items, double audio_seconds, int threads, int repeat, Run run) {
  double best = 1e30;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        adapt::use_one_thread_in_this_thread();
        run(n_items * t / threads, n_items * (t + 1) / threads);
      });
    for (auto& th : pool) th.join();
    best = std::min(best, seconds_since(start));
  }
  return audio_seconds / best;
}

// Decoding and mel figures over every clip, one thread and all threads, best of `repeat`.
void feature_figures(const std::vector<std::string>& paths, int repeat, int all_threads, json& results) {
  // --- decoding --------------------------------------------------------------------------------------
  std::vector<std::vector<float>> waves(paths.size());
  double audio_seconds = 0;
  {
    double best = 1e30;
    for (int r = 0; r < repeat; ++r) {
      const auto start = Clock::now();
      for (size_t i = 0; i < paths.size(); ++i) {
        int64_t rate = 0;
        waves[i] = decode_mono(paths[i], rate);
      }
      best = std::min(best, seconds_since(start));
    }
    for (const auto& w : waves) audio_seconds += static_cast<double>(w.size()) / 8000.0;
    results["audio_seconds"] = audio_seconds;
    results["decode_s_per_s"] = audio_seconds / best;
  }

  // --- mel spectrograms --------------------------------------------------------------------------------
  // Batches of 64 clips padded with zeros to the batch's longest clip, as torchaudio is fed a batch.
  std::vector<std::vector<float>> padded;
  for (size_t b = 0; b < waves.size(); b += 64) {
    size_t longest = 0;
    for (size_t i = b; i < std::min(waves.size(), b + 64); ++i) longest = std::max(longest, waves[i].size());
    for (size_t i = b; i < std::min(waves.size(), b + 64); ++i) {
      padded.emplace_back(longest, 0.0f);
      std::copy(waves[i].begin(), waves[i].end(), padded.back().begin());
    }
  }
  for (auto [name, log] : {std::pair<const char*, LogMode>{"mel", LogMode::none}, {"logmel", LogMode::db}}) {
    const FeatureExtractor mel = mel_extractor(log);
    for (int threads : {1, all_threads}) {
      const std::string suffix = threads == 1 ? "_1thread" : "_all_threads";
      // Seconds of real audio per second in both cases (padding is overhead, as for the peer).
      results[std::string(name) + "_per_clip" + suffix] =
          throughput(waves.size(), audio_seconds, threads, repeat, [&](size_t lo, size_t hi) {
            for (size_t i = lo; i < hi; ++i) mel.compute(waves[i].data(), static_cast<int64_t>(waves[i].size()));
          });
      results[std::string(name) + "_batched_padded" + suffix] =
          throughput(padded.size(), audio_seconds, threads, repeat, [&](size_t lo, size_t hi) {
            for (size_t i = lo; i < hi; ++i) mel.compute(padded[i].data(), static_cast<int64_t>(padded[i].size()));
          });
    }
  }
}

// One training epoch of audio.cnn per thread count, each fit in this process.
void training_figures(const std::vector<std::string>& paths, const std::vector<int>& thread_counts, json& results) {
  adapt::Registry registry;
  adapt::register_core_components(registry);
  adapt::PluginHostOptions host_options;
  host_options.plugin_paths = {fs::path(ADAPT_BENCH_BINARY_DIR) / "lib/adapt/plugins"};
  adapt::PluginHost host(registry, host_options);
  host.load(fs::path(ADAPT_BENCH_BINARY_DIR) / "lib/adapt/plugins/libadapt_audio.so");
  const fs::path dir = fs::temp_directory_path() / ("adapt_bench_audio_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ostringstream csv;
  csv << "path,label,split\n";
  for (const auto& p : paths) {
    const std::string stem = fs::path(p).stem().string();
    const int index = std::stoi(stem.substr(stem.rfind('_') + 1));
    csv << p << "," << stem.substr(0, stem.find('_')) << "," << (index <= 4 ? "valid" : "train") << "\n";
  }
  std::ofstream(dir / "fsdd.csv") << csv.str();
  json recipe = {
      {"seed", 42},
      {"reader", {{"name", "audio.csv"}, {"path", (dir / "fsdd.csv").string()}}},
      {"splitter", {{"name", "core.by_column"}, {"column", "split"}}},
      // Centre crops every epoch, as the peer's precomputed features: the block encodes each clip once.
      {"inputs", json::array({{{"name", "audio.mel"}, {"sample_rate", 8000}, {"duration", 1.0}, {"n_fft", 256},
                               {"hop_length", 80}, {"n_mels", 64}, {"random_crop", false}}})},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"loader", {{"batch_size", 64}, {"workers", 1}}},
      {"model", {{"name", "audio.cnn"}, {"channels", {32, 64, 128, 256}}}},
      {"metrics", json::array({"core.accuracy"})},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 3}, {"lr", 3e-3}}},
      {"interpret", {{"top_losses", 0}, {"confusion_matrix", false}}},
  };
  for (int threads : thread_counts) {
    adapt::set_num_threads(threads);
    adapt::RunOptions options;
    options.out_dir = dir / ("run" + std::to_string(threads));
    std::ostringstream log;
    options.out = &log;
    options.progress = false;
    options.write_files = false;
    auto result = adapt::train_recipe(recipe, options, registry);
    // The training loop alone (the recorder's train_time), as the peer times it; the whole epoch
    // with validation is reported beside it.
    double best = 1e30, best_epoch = 1e30;
    for (const auto& row : result.learner->recorder().history()) {
      best = std::min(best, row["train_time"].get<double>());
      best_epoch = std::min(best_epoch, row["time"].get<double>());
    }
    results["epoch_seconds_with_validation_" + std::to_string(threads) + "_threads"] = best_epoch;
    results["train_loop_seconds_" + std::to_string(threads) + "_threads"] = best;
    results["train_samples_per_s_" + std::to_string(threads) + "_threads"] = 2700.0 / best;
    results["valid_accuracy_after_3_epochs_" + std::to_string(threads) + "_threads"] =
        result.metrics["valid"]["accuracy"];
    // ADAPT_BENCH_PROFILE: one more epoch (42 steps), after the timed ones, profiles its steps.
    adapt::bench::StepProfile profile("audio.cnn [32, 64, 128, 256], batch 64", true, 5, 15);
    if (profile.enabled()) {
      result.learner->add_callback(std::make_shared<adapt::bench::StepProfileCallback>(profile));
      result.learner->fit(1, 3e-4);
    }
  }
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  int repeat = 5;
  bool skip_train = false, skip_features = false;
  int train_threads = 0;  // 0: one thread, then all threads
  std::string json_out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (a == "--skip-train") skip_train = true;
    else if (a == "--skip-features") skip_features = true;
    else if (a == "--train-threads" && i + 1 < argc) train_threads = std::atoi(argv[++i]);
    else if (a == "--json" && i + 1 < argc) json_out = argv[++i];
  }
  const char* root = std::getenv("ADAPT_DATA_DIR");
  if (!root) {
    std::cerr << "bench_audio: set ADAPT_DATA_DIR (the folder holding audio/free-spoken-digit-dataset)\n";
    return 2;
  }
  const fs::path recordings = fs::path(root) / "audio/free-spoken-digit-dataset/recordings";
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(recordings))
    if (e.path().extension() == ".wav") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  const int all_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  json results{{"impl", "adapt"}, {"clips", paths.size()}, {"threads_all", all_threads}};

  if (!skip_features) {
    feature_figures(paths, repeat, all_threads, results);
    std::cout << results.dump(1) << std::endl;
  }
  // Give each thread count its own process for like-for-like figures (run.sh): oneDNN keeps the
  // thread count its cached kernels were made with.
  if (!skip_train)
    training_figures(paths, train_threads > 0 ? std::vector<int>{train_threads} : std::vector<int>{1, all_threads},
                     results);
  std::cout << results.dump(1) << std::endl;
  if (!json_out.empty()) std::ofstream(json_out) << results.dump(1) << "\n";
  return 0;
}
