// The out-of-process plugin scan and its cache. Each changed plugin file is opened by a helper
// process that reports the plugin's components as JSON on file descriptor 3; a helper that dies from
// a signal, outlives the timeout or reports an exception blacklists the file until it changes.
#include "adapt/plugin/plugin_scan.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "adapt/common/atomic_file.h"
#include "adapt/common/cache_dir.h"
#include "adapt/common/hash.h"
#include "adapt/common/version.h"

extern char** environ;

namespace fs = std::filesystem;
using nlohmann::json;

namespace adapt {

namespace {

// What identifies one version of a file: a changed size or mtime means a rebuilt plugin.
struct FileStamp {
  uintmax_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp& o) const { return size == o.size && mtime_ns == o.mtime_ns; }
};

FileStamp stamp_of(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  return {static_cast<uintmax_t>(st.st_size), int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
}

// The cache: {"fingerprint": ..., "entries": {"<file>": {size, mtime_ns, status, reason | components}}}.
json read_cache(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return json::object();
  try {
    json cache = json::parse(in);
    // Another build's cache (a hash collision, or a hand-edited file) is worthless: start over.
    if (cache.is_object() && cache.value("fingerprint", "") == build_fingerprint() && cache["entries"].is_object())
      return cache;
  } catch (const json::exception&) {
    // A torn or corrupt cache is rebuilt, never trusted.
  }
  return json::object();
}

const json* cached_entry(const json& cache, const fs::path& file) {
  if (!cache.contains("entries")) return nullptr;
  auto it = cache["entries"].find(file.string());
  if (it == cache["entries"].end() || !it->is_object()) return nullptr;
  const FileStamp now = stamp_of(file);
  if (it->value("size", uintmax_t{0}) != now.size || it->value("mtime_ns", int64_t{0}) != now.mtime_ns) return nullptr;
  return &*it;
}

std::string signal_text(int sig) {
  const char* name = ::strsignal(sig);
  return "signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : std::string());
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// One helper process at work: its pid, the pipes it reports on, what it wrote so far.
struct Helper {
  fs::path file;  // what the cache entry is keyed by
  std::string argument;  // what the scanner is given: the file, or --core
  pid_t pid = -1;
  int result_fd = -1, error_fd = -1;
  std::string result, errors;
  std::chrono::steady_clock::time_point deadline;
  bool timed_out = false;
};

void start_helper(Helper& h, const fs::path& scanner, std::chrono::milliseconds timeout) {
  int result_pipe[2], error_pipe[2];
  if (::pipe2(result_pipe, O_CLOEXEC) != 0) throw Error("adapt plugins scan: pipe failed: " + std::string(std::strerror(errno)));
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) {
    ::close(result_pipe[0]), ::close(result_pipe[1]);
    throw Error("adapt plugins scan: pipe failed: " + std::string(std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);  // a chatty plugin cannot corrupt the report
  posix_spawn_file_actions_adddup2(&actions, error_pipe[1], 2);
  posix_spawn_file_actions_adddup2(&actions, result_pipe[1], 3);
  std::string program = scanner.string(), target = h.argument;
  char* argv[] = {program.data(), target.data(), nullptr};
  const int rc = ::posix_spawn(&h.pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(result_pipe[1]);
  ::close(error_pipe[1]);
  h.result_fd = result_pipe[0];
  h.error_fd = error_pipe[0];
  if (rc != 0) {
    close_fd(h.result_fd), close_fd(h.error_fd);
    throw Error("adapt plugins scan: cannot run the plugin scanner " + program + ": " + std::strerror(rc) +
                ". Reinstall adapt, or point ADAPT_PLUGIN_SCANNER at adapt-plugin-scanner.");
  }
  h.deadline = std::chrono::steady_clock::now() + timeout;
}

// Runs the helpers, at most `parallel` at a time (each loads LibTorch: more than the cores would only
// make every one slower, and its timeout unfair), reading what they write until each has closed its
// pipes or run out of time.
void run_helpers(std::vector<Helper>& helpers, const fs::path& scanner, std::chrono::milliseconds timeout,
                 size_t parallel) {
  size_t started = 0;
  for (;;) {
    size_t running = 0;
    for (size_t i = 0; i < started; ++i) running += helpers[i].result_fd >= 0 || helpers[i].error_fd >= 0;
    for (; started < helpers.size() && running < parallel; ++started, ++running)
      start_helper(helpers[started], scanner, timeout);
    std::vector<pollfd> fds;
    std::vector<std::pair<Helper*, int*>> owners;
    auto now = std::chrono::steady_clock::now();
    int wait_ms = -1;
    for (size_t i = 0; i < started; ++i) {
      Helper& h = helpers[i];
      if (h.result_fd < 0 && h.error_fd < 0) continue;
      if (now >= h.deadline) {
        ::kill(h.pid, SIGKILL);  // hung: the file is blacklisted below
        h.timed_out = true;
        close_fd(h.result_fd), close_fd(h.error_fd);
        continue;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(h.deadline - now).count() + 1;
      wait_ms = wait_ms < 0 ? static_cast<int>(left) : std::min(wait_ms, static_cast<int>(left));
      for (int* fd : {&h.result_fd, &h.error_fd}) {
        if (*fd < 0) continue;
        fds.push_back({*fd, POLLIN, 0});
        owners.emplace_back(&h, fd);
      }
    }
    if (fds.empty()) {
      if (started == helpers.size()) return;
      continue;
    }
    if (::poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) return;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      auto [h, fd] = owners[i];
      char buffer[4096];
      ssize_t n = ::read(*fd, buffer, sizeof buffer);
      if (n > 0) {
        std::string& into = fd == &h->result_fd ? h->result : h->errors;
        into.append(buffer, static_cast<size_t>(n));
        if (into.size() > (64u << 20)) close_fd(*fd);  // a runaway writer: what came is enough to judge
      } else if (n == 0 || errno != EINTR) {
        close_fd(*fd);
      }
    }
  }
}

std::string last_lines(const std::string& text, size_t max_chars = 600) {
  std::string t = text.size() > max_chars ? "..." + text.substr(text.size() - max_chars) : text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

// The cache entry for a finished helper: its components, or why the file is blacklisted.
json judge(Helper& h, std::chrono::milliseconds timeout) {
  int status = 0;
  while (::waitpid(h.pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string said = h.errors.empty() ? "" : " Its last words on stderr: " + last_lines(h.errors);
  auto blacklisted = [&](const std::string& reason) { return json{{"status", "blacklisted"}, {"reason", reason}}; };
  const std::string file = h.file.string();
  if (h.timed_out) {
    std::ostringstream seconds;
    seconds << timeout.count() / 1000.0;
    return blacklisted(file + " did not finish loading within " + seconds.str() +
                       " s (ADAPT_PLUGIN_SCAN_TIMEOUT), so it is blacklisted until the file changes." + said);
  }
  if (WIFSIGNALED(status))
    return blacklisted(file + " crashed while loading (" + signal_text(WTERMSIG(status)) +
                       "), so it is blacklisted until the file changes; report it to its authors." + said);
  json report;
  try {
    report = json::parse(h.result);
  } catch (const json::exception&) {
    return blacklisted(file + ": the scanner exited with code " + std::to_string(WEXITSTATUS(status)) +
                       " without a report, so the file is blacklisted until it changes." + said);
  }
  if (report.contains("error")) return blacklisted(report["error"].get<std::string>());
  return {{"status", "ok"}, {"plugin", report["plugin"]}, {"components", report["components"]}};
}

PluginManifest manifest_from(const json& j) {
  PluginManifest m;
  m.name = j.value("name", "");
  m.version = j.value("version", "");
  m.license = j.value("license", "");
  m.description = j.value("description", "");
  m.fingerprint = j.value("fingerprint", "");
  m.abi_version = j.value("abi", 0u);
  return m;
}

}  // namespace

const ScannedPlugin* PluginScan::find(const std::string& name) const {
  for (const auto& p : plugins)
    if (p.manifest.name == name) return &p;
  return nullptr;
}

fs::path default_plugin_cache_file() {
  return user_cache_dir() / ("registry-" + hex64(fnv1a64(build_fingerprint())) + ".json");
}

fs::path plugin_scanner_program() {
  if (const char* set = std::getenv("ADAPT_PLUGIN_SCANNER"); set && *set) return set;
  return adapt_library_dir() / "adapt" / "adapt-plugin-scanner";
}

std::string blacklist_reason(const fs::path& file) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(file, ec);
  if (ec) return "";
  const json cache = read_cache(default_plugin_cache_file());
  const json* entry = cached_entry(cache, canonical);
  return entry && entry->value("status", "") == "blacklisted" ? entry->value("reason", "") : "";
}

std::chrono::milliseconds default_scan_timeout() {
  if (const char* set = std::getenv("ADAPT_PLUGIN_SCAN_TIMEOUT"); set && *set) {
    char* end = nullptr;
    const double seconds = std::strtod(set, &end);
    if (*end == '\0' && seconds > 0 && seconds < 86400) return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    throw Error(std::string("ADAPT_PLUGIN_SCAN_TIMEOUT=") + set + ": expected seconds, a number > 0");
  }
  return std::chrono::milliseconds(30000);
}

PluginScan scan_plugins(const PluginHostOptions& host, const ScanOptions& options) {
  PluginScan scan;
  scan.cache_file = options.cache_file.empty() ? default_plugin_cache_file() : options.cache_file;
  scan.search_path = plugin_search_path(host);
  PluginDiscovery found = discover_plugins(host);
  scan.refused = found.failures;
  scan.warnings = found.warnings;

  const json old = options.rescan ? json::object() : read_cache(scan.cache_file);
  json entries = json::object();
  std::vector<Helper> helpers;
  const fs::path scanner = options.scanner.empty() ? plugin_scanner_program() : options.scanner;
  // A cached entry is reused; anything else is scanned by a helper of its own.
  auto reuse_or_scan = [&](const fs::path& file, const std::string& argument) {
    if (const json* entry = cached_entry(old, file)) {
      entries[file.string()] = *entry;
      return;
    }
    if (helpers.empty() && !fs::exists(scanner))
      throw Error("adapt plugins scan: the plugin scanner " + scanner.string() +
                  " is missing; reinstall adapt, or set ADAPT_PLUGIN_SCANNER to its adapt-plugin-scanner");
    Helper h;
    h.file = file;
    h.argument = argument;
    helpers.push_back(std::move(h));
  };
  for (const auto& candidate : found.plugins) reuse_or_scan(candidate.file, candidate.file.string());
  // The core's components are scanned like a plugin's, so `plugins info core` needs no LibTorch either.
  std::error_code ec;
  const fs::path core = fs::canonical(adapt_library_dir() / "libadapt_core.so", ec);
  if (!ec) reuse_or_scan(core, "--core");
  run_helpers(helpers, scanner, options.timeout, std::max(2u, std::thread::hardware_concurrency()));
  for (auto& h : helpers) {
    json entry = judge(h, options.timeout);
    const FileStamp stamp = stamp_of(h.file);
    entry["size"] = stamp.size;
    entry["mtime_ns"] = stamp.mtime_ns;
    entries[h.file.string()] = entry;
    ++scan.scanned;
  }
  if (!ec && entries[core.string()].value("status", "") == "ok") scan.core_components = entries[core.string()]["components"];
  for (const auto& candidate : found.plugins) {
    const json& entry = entries[candidate.file.string()];
    if (entry.value("status", "") != "ok") {
      scan.blacklisted.push_back({candidate.file, entry.value("reason", "blacklisted")});
      continue;
    }
    const bool scanned_now = std::any_of(helpers.begin(), helpers.end(),
                                         [&](const Helper& h) { return h.file == candidate.file; });
    scan.plugins.push_back({manifest_from(entry["plugin"]), candidate.file, entry["components"], !scanned_now});
  }
  if (scan.scanned > 0) {
    // Entries of files this search did not reach are kept (another --plugin-path may need them)
    // while the file exists.
    json merged = json::object();
    for (const json& list : {old.value("entries", json::object()), entries}) {
      for (auto it = list.begin(); it != list.end(); ++it)
        if (fs::exists(it.key(), ec)) merged[it.key()] = it.value();
    }
    try {
      fs::create_directories(scan.cache_file.parent_path());
      write_text_atomically(scan.cache_file,
                            json{{"adapt", version()}, {"fingerprint", build_fingerprint()}, {"entries", merged}}.dump(1));
    } catch (const std::exception& e) {
      scan.warnings.push_back("could not write the plugin cache " + scan.cache_file.string() + ": " + e.what() +
                              "; the next command scans again");
    }
  }
  return scan;
}

}  // namespace adapt
