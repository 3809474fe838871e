#pragma once
// PluginHost: finds plugin files, checks them, and loads them into a Registry.
// Libraries are opened RTLD_NOW | RTLD_LOCAL and never unloaded (LibTorch's static registrations make
// dlclose unsafe), so objects a plugin created can never outlive its code. Every failure is recorded
// with a message a user can act on, and the host keeps going.
#include <filesystem>
#include <string>
#include <vector>

#include "adapt/plugin/registry.h"

namespace adapt {

struct PluginHostOptions {
  std::vector<std::filesystem::path> plugin_paths;  // --plugin-path, searched first
  bool use_environment = true;                       // then ADAPT_PLUGIN_PATH (colon separated)
  bool use_install_dir = true;                       // then <prefix>/lib/adapt/plugins
  bool use_build_dir = true;                         // then the build tree's plugin directory
  // Loads files and directories that other users can write to (anyone who can write there can run
  // code as you). Off by default, like sshd's StrictModes.
  bool allow_insecure = false;

  // Exactly these files and directories, no discovery: for hosts (and tests) that must not pick up
  // whatever plugins the environment or the install tree happen to hold.
  static PluginHostOptions only(std::vector<std::filesystem::path> paths) {
    PluginHostOptions o;
    o.plugin_paths = std::move(paths);
    o.use_environment = o.use_install_dir = o.use_build_dir = false;
    return o;
  }
};

struct LoadedPlugin {
  std::string name, version, license, description, fingerprint;
  std::filesystem::path file;
  std::vector<std::string> components;
};

struct PluginFailure {
  std::filesystem::path file;
  std::string reason;  // what went wrong and what to do
};

class ADAPT_API PluginHost {
 public:
  explicit PluginHost(Registry& registry, PluginHostOptions options = {});

  // The directories searched, in order, existing or not.
  std::vector<std::filesystem::path> search_path() const;
  // Loads every plugin file (lib*.so) found on the search path. First of a name wins (warning).
  void load_all();
  // Loads one file; returns false and records a failure instead of throwing.
  bool load(const std::filesystem::path& file);

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  const std::vector<PluginFailure>& failures() const { return failures_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const LoadedPlugin* find(const std::string& name) const;

 private:
  Registry& registry_;
  PluginHostOptions options_;
  std::vector<LoadedPlugin> plugins_;
  std::vector<PluginFailure> failures_;
  std::vector<std::string> warnings_;
};

// Directories compiled into the core: where `cmake --install` puts plugins, and the build tree's.
std::filesystem::path install_plugin_dir();
std::filesystem::path build_plugin_dir();

// The process-wide registry with the core components and every plugin found on the default search
// path (loaded once, on first use). Hosts that need other options build their own PluginHost.
Registry& global_registry();
PluginHost& global_plugin_host();
// Configures the global host before its first use (the CLI's --plugin-path / --allow-insecure).
void configure_global_plugins(PluginHostOptions options);

}  // namespace adapt
