#pragma once
// The purpose-built test plugins (test_plugin.cpp) and copies of them in temporary folders.
#include <filesystem>
#include <string>

#include "support/temp_dir.h"

namespace adapt::test_plugins {

inline const std::filesystem::path kPlugins = ADAPT_TEST_PLUGIN_DIR;

// libadapt_test_<variant>.so; the crash and hang variants live in hostile/.
inline std::filesystem::path plugin(const std::string& variant) {
  const std::string name = "libadapt_test_" + variant + ".so";
  return std::filesystem::exists(kPlugins / name) ? kPlugins / name : kPlugins / "hostile" / name;
}

// A copy of a test plugin in dir/sub (a distinct file for the dynamic loader).
inline std::filesystem::path add_copy(const test_support::TempDir& dir, const std::string& variant,
                                      const std::string& sub = "p") {
  std::filesystem::create_directories(dir.path / sub);
  std::filesystem::path to = dir.path / sub / plugin(variant).filename();
  std::filesystem::copy_file(plugin(variant), to, std::filesystem::copy_options::overwrite_existing);
  return to;
}

}  // namespace adapt::test_plugins
