#pragma once
// What every harness shares: option bytes taken from the front of the input, a scratch file for
// readers that take a path, and the rule that adapt::Error is the only acceptable failure.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "adapt/common/error.h"

namespace adapt::fuzz {

// The fuzzer's bytes: a few leading option bytes (0 once the input is used up), then the content.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  std::string rest() const { return std::string(reinterpret_cast<const char*>(data_), size_); }

 private:
  const uint8_t* data_;
  size_t size_;
};

inline std::filesystem::path scratch_dir() {
  return std::filesystem::temp_directory_path() / ("adapt_fuzz_" + std::to_string(::getpid()));
}

// <tmp>/adapt_fuzz_<pid>/<name>, rewritten with `bytes` on each call; the folder goes at exit.
inline std::filesystem::path scratch_file(const std::string& name, const std::string& bytes) {
  static const std::filesystem::path dir = [] {
    std::filesystem::create_directories(scratch_dir());
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return scratch_dir();
  }();
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

// Runs `f`: an adapt::Error is the clear error bad input must give. Anything else escapes, and
// libFuzzer reports it as a crash (an uncaught exception aborts), as it does a sanitizer report.
template <typename F>
void refuse_cleanly(F&& f) {
  try {
    f();
  } catch (const adapt::Error&) {
  }
}

// A broken promise that is not an exception: abort so the fuzzer keeps the input.
inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "adapt fuzz: check failed: %s\n", what);
    std::abort();
  }
}

}  // namespace adapt::fuzz
