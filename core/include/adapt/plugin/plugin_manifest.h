#pragma once
// A plugin's manifest: its descriptor as text in the ELF section ".adapt_plugin" (written by the
// ADAPT_PLUGIN macro), so the host can read and check it WITHOUT loading the library: a plugin built
// against another adapt, LibTorch or header set is refused before any of its code (static
// initialisers included) runs in the host.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "adapt/common/error.h"

// The section's name and the text it starts with.
#define ADAPT_PLUGIN_SECTION ".adapt_plugin"
#define ADAPT_PLUGIN_MANIFEST_MAGIC "adapt-plugin-manifest"

namespace adapt {

struct PluginManifest {
  uint32_t abi_version = 0;
  std::string name, version, license, description, fingerprint;
};

// The manifest of `file`; nullopt when it is an ELF shared library without the section (not an adapt
// plugin, or one built before manifests). Throws PluginError naming the file when it is not an ELF
// file, cannot be read, or holds a malformed manifest.
ADAPT_API std::optional<PluginManifest> read_plugin_manifest(const std::filesystem::path& file);

// Why a manifest is unacceptable ("" when it is fine): missing name, version, licence or description,
// a name that cannot prefix component names, a version that is not MAJOR.MINOR.PATCH, a licence that
// is not an SPDX expression.
ADAPT_API std::string manifest_problem(const PluginManifest& manifest);

// An SPDX licence expression of known identifiers (MIT, Apache-2.0, GPL-3.0-or-later, ...,
// LicenseRef-*) joined by AND / OR / WITH and parentheses.
ADAPT_API bool valid_spdx_expression(const std::string& expression);

}  // namespace adapt
