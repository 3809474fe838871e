#pragma once
// The plugin ABI. A plugin is a shared library that carries two copies of one descriptor:
//  - a manifest in its ELF section ".adapt_plugin" (plugin_manifest.h), which the host reads from the
//    file and checks (ABI number, build fingerprint, name, version, SPDX licence, description) before
//    it loads the library, so an incompatible plugin never runs any code in the host;
//  - the C entry point adapt_plugin_v1, returning the same descriptor with the register function,
//    called only after the manifest passed.
// Use the macro, which writes both:
//
//   ADAPT_PLUGIN("audio", ADAPT_PLUGIN_VERSION, "MIT", "Sound as images", register_audio)
//
// with `void register_audio(adapt::Registry&)`. adapt_add_plugin() defines ADAPT_PLUGIN_VERSION as
// the CMake project's VERSION, so the version is written once, in CMakeLists.txt.
#include <torch/version.h>

#include <cstdint>

#include "adapt/common/version.h"
#include "adapt/plugin/plugin_manifest.h"
#include "adapt/plugin/registry.h"

extern "C" {
struct adapt_plugin_descriptor {
  uint32_t abi_version;     // ADAPT_PLUGIN_ABI_VERSION at build time
  const char* name;         // "audio": the prefix of every component it registers
  const char* version;      // the plugin's own version
  const char* license;      // SPDX identifier
  const char* description;  // one line
  const char* fingerprint;  // ADAPT_BUILD_FINGERPRINT at build time
  void (*register_components)(adapt::Registry&);
};
}

#define ADAPT_PLUGIN_ENTRY_POINT "adapt_plugin_v1"

#define ADAPT_PLUGIN(NAME, VERSION, LICENSE, DESCRIPTION, REGISTER_FN)                                     \
  [[gnu::used, gnu::section(ADAPT_PLUGIN_SECTION)]] static const char adapt_plugin_manifest[] =           \
      ADAPT_PLUGIN_MANIFEST_MAGIC "\0abi=" ADAPT_STRINGIFY(ADAPT_PLUGIN_ABI_VERSION) "\0name=" NAME          \
      "\0version=" VERSION "\0license=" LICENSE "\0description=" DESCRIPTION                                \
      "\0fingerprint=" ADAPT_BUILD_FINGERPRINT;                                                            \
  extern "C" __attribute__((visibility("default"))) const adapt_plugin_descriptor* adapt_plugin_v1() {     \
    static const adapt_plugin_descriptor descriptor{ADAPT_PLUGIN_ABI_VERSION, NAME, VERSION, LICENSE,      \
                                                    DESCRIPTION, ADAPT_BUILD_FINGERPRINT, REGISTER_FN};   \
    return &descriptor;                                                                                 \
  }
