#pragma once
// adapt's version and the build fingerprint every plugin must match.
#include <string>

#define ADAPT_VERSION_MAJOR 0
#define ADAPT_VERSION_MINOR 1
#define ADAPT_VERSION_PATCH 0
#define ADAPT_VERSION_STRING "0.1.0"

// Bumped whenever the plugin descriptor layout or any class a plugin derives from changes.
#define ADAPT_PLUGIN_ABI_VERSION 1

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
#define ADAPT_BUILD_FINGERPRINT                                                         \
  "adapt " ADAPT_VERSION_STRING "; torch " TORCH_VERSION "; cxx11abi " ADAPT_STRINGIFY( \
      _GLIBCXX_USE_CXX11_ABI) "; " ADAPT_COMPILER_ID

namespace adapt {

// The fingerprint the running core library was built with.
std::string build_fingerprint();
std::string version();

}  // namespace adapt
