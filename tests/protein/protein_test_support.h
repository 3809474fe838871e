#pragma once
// Shared helpers of the protein tests: the process-wide registry with the core and the REAL protein
// plugin loaded from this build's plugin directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "adapt/common/threads.h"
#include "adapt/plugin/plugin_host.h"
#include "adapt/plugin/registry.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace adapt::protein::testing {

inline Registry& protein_registry() {
  static Registry* registry = [] {
    set_num_threads(2);
    PluginHostOptions options;
    options.plugin_paths = {ADAPT_TEST_BINARY_DIR "/lib/adapt/plugins"};
    configure_global_plugins(options);
    Registry* r = &global_registry();
    if (!global_plugin_host().load_plugin("protein")) {
      std::string why;
      for (const auto& f : global_plugin_host().failures()) why += f.file.string() + ": " + f.reason + "\n";
      ADD_FAILURE() << "the protein plugin did not load:\n" << why;
    }
    return r;
  }();
  return *registry;
}

inline std::filesystem::path temp_dir(const std::string& name) {
  return test_support::fresh_temp_dir("adapt_protein_" + name);
}

inline std::string write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  return path.string();
}

using test_support::error_of;
using test_support::expect_message;

}  // namespace adapt::protein::testing
