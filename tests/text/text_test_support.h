#pragma once
// Shared helpers of the text tests: a registry with the core and the REAL text plugin loaded.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "adapt/plugin/plugin_host.h"
#include "adapt/plugin/registry.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace adapt::text::testing {

// The process-wide registry (core + every plugin in this build's plugin directory), so exports record
// the plugin versions the global host knows.
inline Registry& text_registry() {
  static Registry* registry = [] {
    PluginHostOptions options;
    options.plugin_paths = {ADAPT_TEST_BINARY_DIR "/lib/adapt/plugins"};
    configure_global_plugins(options);
    Registry* r = &global_registry();
    if (!global_plugin_host().load_plugin("text")) {
      std::string why;
      for (const auto& f : global_plugin_host().failures()) why += f.file.string() + ": " + f.reason + "\n";
      ADD_FAILURE() << "the text plugin did not load:\n" << why;
    }
    return r;
  }();
  return *registry;
}

inline std::filesystem::path temp_dir(const std::string& name) {
  return test_support::fresh_temp_dir("adapt_text_" + name);
}

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

using test_support::error_of;
using test_support::expect_message;

}  // namespace adapt::text::testing
