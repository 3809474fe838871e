// Atomic writes: temp file in the target's directory (rename is atomic only within one file system),
// fsync of the data, rename over the target, then fsync of the directory so the rename is durable.
#include "adapt/common/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
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

// ".model.adapt.tmp.<pid>.<n>" files whose process is gone (killed mid-write) are removed before a
// new write of the same target: nothing else would ever remove them.
void remove_stale_temporaries(const std::filesystem::path& target) {
  const std::string prefix = "." + target.filename().string() + ".tmp.";
  std::error_code ec;
  const auto dir = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string pid_text = name.substr(prefix.size(), name.find('.', prefix.size()) - prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stoll(pid_text));
    if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove(entry.path(), ec);
  }
}

std::string human_bytes(double bytes) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return text;
}

// "cannot write run/model.adapt (2.1 MB): No space left on device; 12.0 KB free on its file system..."
std::string write_failure(const std::filesystem::path& target, size_t bytes, int error) {
  std::string message = "cannot write " + target.string() + " (" + human_bytes(static_cast<double>(bytes)) +
                        "): " + std::strerror(error);
  struct statvfs fs {};
  const auto dir = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  if (::statvfs(dir.c_str(), &fs) == 0)
    message += "; " + human_bytes(static_cast<double>(fs.f_bavail) * fs.f_frsize) + " free on its file system";
  if (error == ENOSPC || error == EDQUOT || error == EFBIG) message += ". Free some space or write elsewhere (--out); nothing was written";
  return message;
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
  remove_stale_temporaries(target);
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

void write_text_atomically(const std::filesystem::path& target, const std::string& bytes) {
  write_atomically(target, [&](const std::filesystem::path& temp) {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw Error(write_failure(target, bytes.size(), errno));
    // Every write, the fsync and the close are checked: a full disk may surface at any of them.
    size_t done = 0;
    int error = 0;
    while (done < bytes.size() && !error) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n > 0) done += static_cast<size_t>(n);
      else if (n == 0) error = EIO;
      else if (errno != EINTR) error = errno;
    }
    if (!error && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && !error) error = errno;
    if (error) throw Error(write_failure(target, bytes.size(), error));
  });
}

}  // namespace adapt
