#pragma once
// PluginHost: opens plugin files and registers their components into a Registry.
// Every file is checked from the file alone first (permissions, manifest: plugin_files.h), so a
// plugin that cannot run here never runs any code. Libraries are opened RTLD_NOW | RTLD_LOCAL and
// never unloaded (LibTorch's static registrations make dlclose unsafe), so objects a plugin created
// can never outlive its code. Every failure is recorded with a message a user can act on, and the
// host keeps going.
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "adapt/plugin/plugin_files.h"
#include "adapt/plugin/registry.h"

namespace adapt {

struct LoadedPlugin {
  std::string name, version, license, description, fingerprint;
  std::filesystem::path file;
  std::vector<std::string> components;
};

class ADAPT_API PluginHost {
 public:
  explicit PluginHost(Registry& registry, PluginHostOptions options = {});

  // The directories searched, in order, existing or not.
  std::vector<std::filesystem::path> search_path() const;
  // Finds the plugins on the search path from their manifests, opening none (again on each call).
  void discover();
  // Opens every plugin found on the search path. First of a name wins (warning).
  void load_all();
  // Opens a plugin found by discover() by its name; false when none of that name was found or it
  // failed (see failures()).
  bool load_plugin(const std::string& name);
  // Opens plugins only when the registry is asked for one of their components (Registry::
  // set_plugin_loader): discovers the search path now, opens nothing yet.
  void load_on_demand();
  // Loads one file; returns false and records a failure instead of throwing.
  bool load(const std::filesystem::path& file);

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  const std::vector<PluginCandidate>& discovered() const { return discovery_.plugins; }
  const std::vector<PluginFailure>& failures() const { return failures_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const LoadedPlugin* find(const std::string& name) const;

 private:
  void take_discovery(PluginDiscovery found);

  Registry& registry_;
  PluginHostOptions options_;
  PluginDiscovery discovery_;
  std::vector<LoadedPlugin> plugins_;
  std::vector<PluginFailure> failures_;
  std::vector<std::string> warnings_;
  std::recursive_mutex mutex_;  // on-demand loads may come from several threads
};

// The process-wide registry with the core components and every plugin found on the default search
// path, each opened on first use of one of its components. Hosts that need other options build their
// own PluginHost.
Registry& global_registry();
PluginHost& global_plugin_host();
// Configures the global host before its first use (the CLI's --plugin-path / --allow-insecure).
void configure_global_plugins(PluginHostOptions options);

}  // namespace adapt
