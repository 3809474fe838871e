#pragma once
// The plugin ABI. A plugin is a shared library exporting one C entry point, adapt_plugin_v1, that
// returns a plain descriptor. The host reads abi_version first (its offset never changes), checks the
// build fingerprint, and only then calls register_components. Use the macro:
//
//   ADAPT_PLUGIN("audio", "0.1.0", "MIT", "Sound as images", register_audio)
//
// with `void register_audio(adapt::Registry&)`.
#include <torch/version.h>

#include <cstdint>

#include "adapt/common/version.h"
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

#define ADAPT_PLUGIN(NAME, VERSION, LICENSE, DESCRIPTION, REGISTER_FN)                              \
  extern "C" __attribute__((visibility("default"))) const adapt_plugin_descriptor* adapt_plugin_v1() { \
    static const adapt_plugin_descriptor descriptor{ADAPT_PLUGIN_ABI_VERSION, NAME,        VERSION,       \
                                                     LICENSE,                  DESCRIPTION, \
                                                     ADAPT_BUILD_FINGERPRINT,  REGISTER_FN};               \
    return &descriptor;                                                                             \
  }
