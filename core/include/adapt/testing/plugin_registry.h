#pragma once
// plugin_registry: the core components plus the plugins at exactly the given files or folders
// (PluginHostOptions::only: nothing from ADAPT_PLUGIN_PATH or the install tree sneaks in), loaded
// through the real plugin host once per process and set of paths, as `adapt` would load them.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapt/plugin/plugin_host.h"

namespace adapt::testing {

namespace detail {

struct LoadedPlugins {
  Registry registry;
  std::unique_ptr<PluginHost> host;
};

// Never destroyed: plugins are never unloaded, and their objects must not outlive their code.
inline LoadedPlugins& loaded_plugins(const std::vector<std::filesystem::path>& paths) {
  static std::mutex mutex;
  static auto* cache = new std::map<std::string, LoadedPlugins*>();
  std::string key;
  for (const auto& p : paths) key += p.string() + "\n";
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = (*cache)[key];
  if (!slot) {
    slot = new LoadedPlugins();
    register_core_components(slot->registry);
    slot->host = std::make_unique<PluginHost>(slot->registry, PluginHostOptions::only(paths));
    slot->host->load_all();
  }
  return *slot;
}

}  // namespace detail

inline Registry& plugin_registry(const std::vector<std::filesystem::path>& paths) {
  return detail::loaded_plugins(paths).registry;
}

inline const PluginHost& plugin_host(const std::vector<std::filesystem::path>& paths) {
  return *detail::loaded_plugins(paths).host;
}

// The registry holding `plugin`, or a failure listing why the host refused what it found. "core"
// needs no path.
inline ::testing::AssertionResult plugin_loaded(const std::vector<std::filesystem::path>& paths,
                                               const std::string& plugin) {
  const PluginHost& host = plugin_host(paths);
  if (plugin == "core" || host.find(plugin)) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << "plugin \"" << plugin << "\" was not loaded from";
  for (const auto& p : paths) failure << " " << p.string();
  for (const auto& f : host.failures()) failure << "\n  " << f.file.string() << ": " << f.reason;
  for (const auto& w : host.warnings()) failure << "\n  warning: " << w;
  if (host.failures().empty()) failure << " (no plugin file there: is the path right, the plugin built?)";
  return failure;
}

}  // namespace adapt::testing
