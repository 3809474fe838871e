#pragma once
// adapt's version and the build fingerprint every plugin must match.
#include <string>

#include "adapt/common/build_info.h"  // ADAPT_VERSION_*, ADAPT_HEADERS_HASH (generated)

// Bumped whenever the plugin descriptor or manifest layout changes. Changes to the classes a plugin
// derives from change the headers hash in the fingerprint by themselves.
#define ADAPT_PLUGIN_ABI_VERSION 2

#define ADAPT_STRINGIFY_IMPL(x) #x
#define ADAPT_STRINGIFY(x) ADAPT_STRINGIFY_IMPL(x)

#if defined(__clang__)
#define ADAPT_COMPILER_ID "clang " ADAPT_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define ADAPT_COMPILER_ID "gcc " ADAPT_STRINGIFY(__GNUC__)
#else
#define ADAPT_COMPILER_ID "unknown"
#endif

// Everything that must agree between the host and a plugin for C++ objects to cross safely.
// TORCH_VERSION comes from <torch/version.h>; it is included by the translation units that expand it.
#define ADAPT_BUILD_FINGERPRINT                                                                    \
  "adapt " ADAPT_VERSION_STRING "; headers " ADAPT_HEADERS_HASH "; torch " TORCH_VERSION "; cxx11abi " \
      ADAPT_STRINGIFY(_GLIBCXX_USE_CXX11_ABI) "; " ADAPT_COMPILER_ID

namespace adapt {

// The fingerprint the running core library was built with.
std::string build_fingerprint();
std::string version();

}  // namespace adapt
