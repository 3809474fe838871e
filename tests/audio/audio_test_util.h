#pragma once
// Shared helpers for the audio tests: the registry with the real audio plugin loaded through the
// plugin host, temporary directories and synthetic WAV files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "adapt/plugin/plugin_host.h"
#include "adapt/plugin/registry.h"
#include "support/temp_dir.h"

namespace audio_test {

namespace fs = std::filesystem;

// Core components plus libadapt_audio.so from the build tree, loaded once by a PluginHost.
inline adapt::Registry& registry() {
  static adapt::Registry* r = [] {
    auto* reg = new adapt::Registry();
    adapt::register_core_components(*reg);
    adapt::PluginHostOptions options;
    options.plugin_paths = {fs::path(ADAPT_TEST_BINARY_DIR) / "lib/adapt/plugins"};
    options.use_environment = false;
    options.use_install_dir = false;
    options.use_build_dir = false;
    auto* host = new adapt::PluginHost(*reg, options);
    const fs::path file = fs::path(ADAPT_TEST_BINARY_DIR) / "lib/adapt/plugins/libadapt_audio.so";
    if (!host->load(file)) {
      for (const auto& f : host->failures()) ADD_FAILURE() << f.file << ": " << f.reason;
    }
    return reg;
  }();
  return *r;
}

// TempDir dir("tag"); dir.path: <tmp>/adapt_audio_<tag>_XXXXXX, removed with the object.
struct TempDir : adapt::test_support::TempDir {
  explicit TempDir(const std::string& tag) : adapt::test_support::TempDir("audio_" + tag) {}
};

inline std::vector<float> tone(int64_t rate, double seconds, double freq, double amp = 0.5) {
  std::vector<float> x(static_cast<size_t>(rate * seconds));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(amp * std::sin(2 * M_PI * freq * i / rate));
  return x;
}

}  // namespace audio_test
