#pragma once
// Shared by the tabular tests: a registry with the core components and the tabular plugin loaded
// through the real plugin host from the build tree, and small helpers for records.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "adapt/data/records.h"
#include "adapt/plugin/plugin_host.h"
#include "adapt/plugin/registry.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace adapt::tabular_test {

inline Registry& registry() {
  static Registry* registry = [] {
    auto* r = new Registry();
    register_core_components(*r);
    PluginHostOptions options;
    options.plugin_paths = {ADAPT_TEST_BINARY_DIR "/lib/adapt/plugins"};
    options.use_environment = false;
    options.use_install_dir = false;
    options.use_build_dir = false;
    static PluginHost host(*r, options);
    const std::filesystem::path file = std::filesystem::path(ADAPT_TEST_BINARY_DIR) / "lib/adapt/plugins/libadapt_tabular.so";
    if (!host.load(file)) {
      std::string reasons;
      for (const auto& f : host.failures()) reasons += f.file.string() + ": " + f.reason + "\n";
      ADD_FAILURE() << "could not load the tabular plugin:\n" << reasons;
    }
    return r;
  }();
  return *registry;
}

// Records from columns given as {name, values}; origins "t.csv:<line>" (line = row + 2).
inline Records make_records(const std::vector<std::pair<std::string, std::vector<std::string>>>& columns) {
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.first);
  Records records(names, "t.csv");
  const size_t n = columns.empty() ? 0 : columns.front().second.size();
  for (size_t r = 0; r < n; ++r) {
    std::vector<std::string> fields;
    for (const auto& c : columns) fields.push_back(c.second.at(r));
    records.add_row(fields, "t.csv:" + std::to_string(r + 2));
  }
  return records;
}

inline std::filesystem::path temp_dir(const std::string& name) {
  return test_support::fresh_temp_dir("adapt_tabular_" + name);
}

using test_support::expect_error;

}  // namespace adapt::tabular_test
