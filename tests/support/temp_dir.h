#pragma once
// Temporary directories for every test suite: a fresh one by name, or one that removes itself.
// Its own namespace: suites bring it into theirs with a using-declaration.
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace adapt::test_support {

// <tmp>/<name>_<pid>, emptied and created. The same name gives the same directory within a process
// (a test can find it again); the pid keeps parallel test processes apart. The caller removes it.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// <tmp>/adapt_<tag>_XXXXXX made by mkdtemp: unique per instance even for one tag, owner-only (the
// plugin host refuses directories others can write), removed with the object.
struct TempDir {
  std::filesystem::path path;

  explicit TempDir(const std::string& tag = "test") {
    std::string pattern = (std::filesystem::temp_directory_path() / ("adapt_" + tag + "_XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path = pattern;
  }
  // Writes `text` to path/relative (creating folders) and returns the file's path.
  std::string write(const std::string& relative, const std::string& text) const {
    const auto file = path / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  ~TempDir() {
    std::error_code ec;  // a destructor must not throw; a leftover directory is harmless
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace adapt::test_support
