// Atomic writes: temp file in the target's directory (rename is atomic only within one file system),
// fsync of the data, rename over the target, then fsync of the directory so the rename is durable.
#include "adapt/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace adapt {
namespace {

void fsync_path(const std::filesystem::path& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) return;  // best effort: some file systems do not allow opening directories
  ::fsync(fd);
  ::close(fd);
}

std::filesystem::path temp_path_for(const std::filesystem::path& target) {
  static std::atomic<uint64_t> counter{0};
  auto name = "." + target.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
              std::to_string(counter++);
  return target.parent_path() / name;
}

}  // namespace

void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path& temp_path)>& write) {
  if (target.empty()) throw Error("write_atomically: the target path is empty");
  auto dir = target.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error("cannot create directory " + dir.string() + " for " + target.string() + ": " + ec.message());
  }
  auto temp = temp_path_for(target);
  try {
    write(temp);
    if (!std::filesystem::exists(temp))
      throw Error("write_atomically: the writer did not create " + temp.string() + " for " + target.string());
    fsync_path(temp, false);
    std::error_code ec;
    std::filesystem::rename(temp, target, ec);
    if (ec) throw Error("cannot rename " + temp.string() + " to " + target.string() + ": " + ec.message());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
  fsync_path(dir.empty() ? std::filesystem::path(".") : dir, true);
}

void write_text_atomically(const std::filesystem::path& target, const std::string& text) {
  write_atomically(target, [&](const std::filesystem::path& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot open " + temp.string() + " for writing: " + std::strerror(errno));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) throw Error("cannot write " + target.string() + " (disk full?): " + std::strerror(errno));
  });
}

}  // namespace adapt
