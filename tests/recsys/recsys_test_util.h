#pragma once
// Shared by the recsys tests: a registry with the core components and the recsys plugin loaded
// through the real plugin host, and small file helpers.
#include <adapt/plugin/plugin_host.h>
#include <adapt/plugin/registry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace recsys_test {

inline adapt::Registry& registry() {
  static adapt::Registry* registry = [] {
    auto* r = new adapt::Registry();
    adapt::register_core_components(*r);
    adapt::PluginHostOptions options;
    options.plugin_paths = {ADAPT_TEST_BINARY_DIR "/lib/adapt/plugins"};
    options.use_environment = false;
    options.use_install_dir = false;
    options.use_build_dir = false;
    static adapt::PluginHost host(*r, options);
    host.load_all();
    if (!host.find("recsys")) {
      std::string why;
      for (const auto& f : host.failures()) why += f.file.string() + ": " + f.reason + "\n";
      throw std::runtime_error("the recsys plugin did not load:\n" + why);
    }
    return r;
  }();
  return *registry;
}

// A fresh directory under the system temp dir, removed by the caller's TearDown if wanted.
inline std::filesystem::path temp_dir(const std::string& name) {
  return adapt::test_support::fresh_temp_dir("adapt_recsys_test_" + name);
}

inline std::filesystem::path write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace recsys_test
