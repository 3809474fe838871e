// `adapt demo audio` end to end through run_demo: deterministic WAV generation, training, metrics
// next to the baseline, export, reload and prediction of unseen files.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapt/run/run_demo.h"
#include "audio_test_util.h"

using adapt::json;
using namespace audio_test;

namespace {
std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST(AudioDemo, GeneratesTheSameBytesForASeed) {
  TempDir a("demo_a"), b("demo_b");
  auto demo = registry().demo(json{{"name", "audio.demo"}, {"n_per_class", 8}}, "demo");
  demo->generate(a.path, 7);
  demo->generate(b.path, 7);
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(a.path)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const auto other = b.path / fs::relative(entry.path(), a.path);
    ASSERT_TRUE(fs::exists(other)) << other;
    EXPECT_EQ(read_bytes(entry.path()), read_bytes(other)) << entry.path();
  }
  EXPECT_EQ(files, 4u * 8u + 4u);  // 4 classes x 8 training clips + one unseen clip per class
}

TEST(AudioDemo, RunsEndToEndAndBeatsChance) {
  TempDir dir("demo_run");
  std::ostringstream log;
  adapt::RunOptions options;
  options.out_dir = dir.path;
  options.out = &log;
  options.progress = false;
  auto result = adapt::run_demo("audio", options, registry());
  std::cout << log.str();
  const double accuracy = result.run.metrics["valid"]["accuracy"];
  EXPECT_GE(accuracy, 0.9) << result.run.metrics.dump();
  ASSERT_TRUE(result.run.baselines.contains("audio.band_stats")) << result.run.baselines.dump();
  EXPECT_TRUE(result.run.baselines["audio.band_stats"]["valid"].contains("accuracy"))
      << result.run.baselines.dump();
  ASSERT_EQ(result.predictions.size(), 4u);
  // The unseen clips are predict/<class>.wav: most should come back as their class.
  int right = 0;
  const std::vector<std::string> classes = {"chirp", "noise_burst", "tone", "vowel"};
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(result.predictions[i].contains("label")) << result.predictions[i].dump();
    right += result.predictions[i]["label"] == classes[i];
  }
  EXPECT_GE(right, 3) << log.str();
}
