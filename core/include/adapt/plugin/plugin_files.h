#pragma once
// Finding plugin files without loading any: the search path, the permission checks, and each
// candidate's manifest checked against this build. Nothing here needs LibTorch, so `adapt plugins
// list` reads plugins (and its cache) without paying for LibTorch's start-up.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "adapt/plugin/plugin_manifest.h"

namespace adapt {

struct PluginHostOptions {
  std::vector<std::filesystem::path> plugin_paths;  // --plugin-path, searched first
  bool use_environment = true;                       // then ADAPT_PLUGIN_PATH (colon separated)
  bool use_install_dir = true;                       // then <prefix>/lib/adapt/plugins
  bool use_build_dir = true;                         // then the build tree's plugin directory
  // Loads files and directories that other users can write to (anyone who can write there can run
  // code as you). Off by default, like sshd's StrictModes.
  bool allow_insecure = false;
  // Refuses files that `adapt plugins scan` blacklisted (their scan crashed, hung or threw) until
  // they change. Off for hosts that never scan; the command line turns it on.
  bool respect_blacklist = false;

  // Exactly these files and directories, no discovery: for hosts (and tests) that must not pick up
  // whatever plugins the environment or the install tree happen to hold.
  static PluginHostOptions only(std::vector<std::filesystem::path> paths) {
    PluginHostOptions o;
    o.plugin_paths = std::move(paths);
    o.use_environment = o.use_install_dir = o.use_build_dir = false;
    return o;
  }
};

struct PluginFailure {
  std::filesystem::path file;
  std::string reason;  // what went wrong and what to do
};

// A plugin file whose manifest passed every check: safe to open (or to hand to the scanner).
struct PluginCandidate {
  std::filesystem::path file;  // canonical
  PluginManifest manifest;
};

// What discovery found on the search path, in search order; the first file of a name wins.
struct PluginDiscovery {
  std::vector<PluginCandidate> plugins;
  std::vector<PluginFailure> failures;  // refused before loading: permissions, manifest, ...
  std::vector<std::string> warnings;    // shadowed duplicates, missing --plugin-path entries
  const PluginCandidate* find(const std::string& name) const;
};

// The directories searched, in order, existing or not.
ADAPT_API std::vector<std::filesystem::path> plugin_search_path(const PluginHostOptions& options);
// Walks the search path reading manifests only: no plugin code runs.
ADAPT_API PluginDiscovery discover_plugins(const PluginHostOptions& options);

// Why `file` must not be opened ("" when it may): insecure permissions (unless allowed), then its
// manifest (missing, other ABI or fingerprint, invalid fields). Fills `manifest` when it has one.
ADAPT_API std::string plugin_file_refusal(const std::filesystem::path& file, const PluginHostOptions& options,
                                          PluginManifest& manifest);
// Why a plugin declaring this ABI, name and fingerprint cannot run in this host ("" when it can).
ADAPT_API std::string plugin_incompatibility(const std::string& file, uint32_t abi, const std::string& name,
                                             const std::string& fingerprint);

// The directory holding libadapt_core.so (build tree: <build>/lib; installed: <prefix>/<libdir>).
ADAPT_API std::filesystem::path adapt_library_dir();
// Where `cmake --install` puts plugins (relocatable: <library dir>/adapt/plugins), and the build
// tree's plugin directory.
ADAPT_API std::filesystem::path install_plugin_dir();
ADAPT_API std::filesystem::path build_plugin_dir();

}  // namespace adapt
