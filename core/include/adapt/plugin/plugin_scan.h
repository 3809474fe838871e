#pragma once
// `adapt plugins scan`, as GStreamer's gst-plugin-scanner: each plugin is opened in a helper process
// (adapt-plugin-scanner), never in the caller, and what it registers (components and their option
// schemas) is kept in a cache, $XDG_CACHE_HOME/adapt/registry-<fingerprint hash>.json, keyed by the
// file's path, size and mtime. A file whose helper crashed, hung or threw is blacklisted, with the
// reason, until the file changes. Needs no LibTorch in the caller.
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "adapt/plugin/plugin_files.h"

namespace adapt {

// ADAPT_PLUGIN_SCAN_TIMEOUT (seconds) if set, else 30 s.
ADAPT_API std::chrono::milliseconds default_scan_timeout();

struct ScanOptions {
  std::filesystem::path cache_file;  // empty: default_plugin_cache_file()
  std::filesystem::path scanner;     // empty: plugin_scanner_program()
  // Per plugin; a helper still loading then is killed and the file blacklisted.
  std::chrono::milliseconds timeout = default_scan_timeout();
  bool rescan = false;                        // ignore the cache (`adapt plugins scan --force`)
};

struct ScannedPlugin {
  PluginManifest manifest;
  std::filesystem::path file;
  nlohmann::json components = nlohmann::json::array();  // [{kind, name, help, options: [...]}]
  bool from_cache = false;
};

struct PluginScan {
  std::vector<ScannedPlugin> plugins;    // in search order
  std::vector<PluginFailure> refused;    // refused from the file alone (permissions, manifest)
  std::vector<PluginFailure> blacklisted;  // their helper crashed, hung or threw
  std::vector<std::string> warnings;
  nlohmann::json core_components = nlohmann::json::array();  // the core's own, scanned like a plugin
  std::vector<std::filesystem::path> search_path;
  std::filesystem::path cache_file;
  size_t scanned = 0;  // helpers run this time (the rest came from the cache)
  const ScannedPlugin* find(const std::string& name) const;
};

// Scans what changed since the cache was written (everything with `rescan`), updates the cache
// atomically and returns every plugin on the search path. Never throws for a bad plugin; throws
// adapt::Error only when the scanner program itself is missing.
ADAPT_API PluginScan scan_plugins(const PluginHostOptions& host, const ScanOptions& options = {});

// $XDG_CACHE_HOME (or ~/.cache)/adapt/registry-<16 hex digits of the build fingerprint's hash>.json
ADAPT_API std::filesystem::path default_plugin_cache_file();
// ADAPT_PLUGIN_SCANNER if set, else <library dir>/adapt/adapt-plugin-scanner.
ADAPT_API std::filesystem::path plugin_scanner_program();
// The reason `file` is blacklisted in the default cache ("" when it is not, or it changed since).
ADAPT_API std::string blacklist_reason(const std::filesystem::path& file);

}  // namespace adapt
