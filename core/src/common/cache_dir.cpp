#include "adapt/common/cache_dir.h"

#include <cstdlib>

namespace adapt {

std::filesystem::path user_cache_dir() {
  namespace fs = std::filesystem;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') return fs::path(xdg) / "adapt";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "adapt";
  return fs::temp_directory_path() / "adapt";
}

}  // namespace adapt
