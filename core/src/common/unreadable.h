#pragma once
// Why a file cannot be read as input ("" when it can): missing, a directory, or not openable. Callers
// wrap it in their own error (DataError for data, OptionError for a recipe) with the file's role.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace adapt::detail {

inline std::string unreadable(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return "does not exist; check the path";
  if (std::filesystem::is_directory(file, ec)) return "is a directory, not a file; name a file inside it";
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::string("cannot be opened for reading (") + std::strerror(errno) + "); check its permissions";
  return "";
}

}  // namespace adapt::detail
