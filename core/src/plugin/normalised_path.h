#pragma once
// A plugin file's identity: its canonical path when it resolves, else its absolute normal form.
#include <filesystem>

namespace adapt::detail {

inline std::filesystem::path normalised(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  return ec ? std::filesystem::absolute(path).lexically_normal() : p;
}

}  // namespace adapt::detail
