// Plugin discovery without loading: the search path, permission checks (like sshd's StrictModes),
// and each file's manifest checked against this build. No LibTorch and no plugin code runs here.
#include "adapt/plugin/plugin_files.h"

#include <dlfcn.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "adapt/common/version.h"
#include "plugin/normalised_path.h"

namespace fs = std::filesystem;
using adapt::detail::normalised;

namespace adapt {

namespace {

std::string owner_name(uid_t uid) {
  if (const passwd* pw = getpwuid(uid)) return std::string(pw->pw_name) + " (uid " + std::to_string(uid) + ")";
  return "uid " + std::to_string(uid);
}

std::string octal_mode(mode_t mode) {
  std::ostringstream out;
  out << "0" << std::oct << (mode & 07777);
  return out.str();
}

// A file or directory someone else can write to lets them run code as us. "" when `path` is safe.
std::string insecure_reason(const fs::path& path, const char* what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};  // a missing path is reported elsewhere
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return std::string(what) + " " + path.string() + " is " + ((st.st_mode & S_IWOTH) ? "world" : "group") +
           "-writable (mode " + octal_mode(st.st_mode) + ")";
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return std::string(what) + " " + path.string() + " is owned by " + owner_name(st.st_uid) +
           ", neither you nor root";
  }
  return {};
}

const char* const kFixPermissions =
    ", so another user could replace it with code that runs as you. Fix the permissions (chmod go-w, chown) or, "
    "if you trust every user of this machine, pass --allow-insecure-plugins (PluginHostOptions::allow_insecure).";

// The file, then every directory above it (as found and as resolved) up to the root: a writable
// parent lets another user swap the whole folder. The sticky /tmp is safe, as for sshd.
std::string file_security_problem(const fs::path& given, const fs::path& canonical) {
  std::vector<std::pair<fs::path, const char*>> checks = {{canonical, "the file"}};
  for (const fs::path& start : {canonical.parent_path(), fs::absolute(given).lexically_normal().parent_path()}) {
    for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
      checks.emplace_back(dir, dir == start ? "its directory" : "the parent directory");
      if (dir == dir.root_path()) break;
    }
  }
  for (const auto& [path, what] : checks) {
    struct stat st {};
    if (path != canonical && ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_ISVTX) && st.st_uid == 0) continue;
    std::string reason = insecure_reason(path, what);
    if (!reason.empty()) return "refusing to load plugin " + given.string() + ": " + reason + kFixPermissions;
  }
  return {};
}

// "adapt 0.2.0; headers 9f..; torch 1.13.0; ..." -> {"adapt": "0.2.0", "headers": "9f..", ...}
std::map<std::string, std::string> fingerprint_fields(const std::string& fingerprint) {
  std::map<std::string, std::string> fields;
  std::istringstream in(fingerprint);
  std::string part;
  while (std::getline(in, part, ';')) {
    part.erase(0, part.find_first_not_of(' '));
    auto space = part.find(' ');
    if (space == std::string::npos) continue;
    fields[part.substr(0, space)] = part.substr(space + 1);
  }
  return fields;
}

std::vector<fs::path> split_path_list(const char* value) {
  std::vector<fs::path> out;
  if (!value) return out;
  std::string item;
  std::istringstream in{std::string(value)};
  while (std::getline(in, item, ':')) {
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

bool is_plugin_file_name(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.size() > 6 && name.compare(0, 3, "lib") == 0 && name.compare(name.size() - 3, 3, ".so") == 0;
}

bool running_from_build_tree() {
  const fs::path dir = adapt_library_dir();
  return !dir.empty() && dir == normalised(build_plugin_dir()).parent_path().parent_path();
}

// The lib*.so files of one search-path entry (a directory, or one file named on --plugin-path).
std::vector<fs::path> files_in(const fs::path& entry, const fs::path& dir, const PluginHostOptions& options,
                               PluginDiscovery& found) {
  std::error_code ec;
  if (fs::is_regular_file(dir, ec)) return {entry};
  if (!options.allow_insecure) {
    std::string reason = insecure_reason(dir, "the directory");
    if (!reason.empty()) {
      found.failures.push_back({dir, "refusing to load plugins from " + dir.string() + ": " + reason +
                                         ", so another user could put code there that runs as you. Fix the "
                                         "permissions (chmod go-w, chown) or pass --allow-insecure-plugins "
                                         "(PluginHostOptions::allow_insecure) if you trust every user of this machine."});
      return {};
    }
  }
  std::vector<fs::path> files;
  for (const auto& item : fs::directory_iterator(dir, ec)) {
    if (is_plugin_file_name(item.path()) && fs::is_regular_file(item.path(), ec)) files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

const PluginCandidate* PluginDiscovery::find(const std::string& name) const {
  for (const auto& p : plugins)
    if (p.manifest.name == name) return &p;
  return nullptr;
}

std::string plugin_incompatibility(const std::string& file, uint32_t abi, const std::string& name,
                                   const std::string& theirs) {
  if (abi != ADAPT_PLUGIN_ABI_VERSION)
    return file + " was built for adapt plugin ABI " + std::to_string(abi) + ", but this adapt (" + version() +
           ") uses plugin ABI " + std::to_string(ADAPT_PLUGIN_ABI_VERSION) + ": rebuild the plugin against adapt " +
           version() + ".";
  const std::string ours = build_fingerprint();
  if (theirs == ours) return "";
  auto t = fingerprint_fields(theirs), o = fingerprint_fields(ours);
  std::string differing;
  for (const auto& [key, value] : o) {
    if (t[key] != value)
      differing += (differing.empty() ? "" : ", ") + key + " " + (t[key].empty() ? "?" : t[key]) + " vs " + value;
  }
  return file + " (plugin " + name + ") was built with \"" + theirs + "\", but this host was built with \"" + ours +
         "\"" + (differing.empty() ? std::string() : " (differs in: " + differing + ")") +
         ". C++ objects cannot cross between them safely: rebuild the plugin against adapt " + version() + " / torch " +
         o["torch"] + " and these headers with the same compiler (" +
         (o.count("gcc") ? "gcc " + o["gcc"] : "clang " + o["clang"]) +
         "), e.g. configure it with -DCMAKE_PREFIX_PATH=<this adapt's install prefix>.";
}

std::string plugin_file_refusal(const fs::path& file, const PluginHostOptions& options, PluginManifest& manifest) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return "plugin file " + file.string() + " not found; check --plugin-path and ADAPT_PLUGIN_PATH";
  if (!fs::is_regular_file(file, ec))
    return file.string() + " is not a regular file; a plugin is a lib<name>.so shared library";
  const fs::path canonical = normalised(file);
  if (!options.allow_insecure) {
    std::string problem = file_security_problem(file, canonical);
    if (!problem.empty()) return problem;
  }
  std::optional<PluginManifest> read;
  try {
    read = read_plugin_manifest(canonical);
  } catch (const PluginError& e) {
    return e.what();
  }
  if (!read)
    return file.string() + " is a shared library but not an adapt plugin: it carries no manifest (ELF section "
           ADAPT_PLUGIN_SECTION "), which ADAPT_PLUGIN(...) writes beside the adapt_plugin_v1() entry point. Build it "
           "with ADAPT_PLUGIN(...) and "
           "adapt_add_plugin() against adapt " + version() +
           " (a plugin built against adapt 0.1 needs rebuilding too), or remove it from the plugin directory.";
  manifest = *read;
  std::string problem = plugin_incompatibility(file.string(), manifest.abi_version, manifest.name, manifest.fingerprint);
  if (!problem.empty()) return problem;
  problem = manifest_problem(manifest);
  return problem.empty() ? "" : file.string() + ": " + problem;
}

std::vector<fs::path> plugin_search_path(const PluginHostOptions& options) {
  std::vector<fs::path> dirs = options.plugin_paths;
  if (options.use_environment) {
    for (auto& dir : split_path_list(std::getenv("ADAPT_PLUGIN_PATH"))) dirs.push_back(dir);
  }
  if (options.use_install_dir) dirs.push_back(install_plugin_dir());
  // An installed adapt never searches the build tree it was made from: that tree may be gone, stale,
  // or someone else's. Only a core running from its own build tree does.
  if (options.use_build_dir && running_from_build_tree()) dirs.push_back(build_plugin_dir());
  return dirs;
}

PluginDiscovery discover_plugins(const PluginHostOptions& options) {
  PluginDiscovery found;
  std::set<fs::path> seen_dirs, seen_files;
  std::map<std::string, fs::path> first_of_file_name;
  for (const auto& entry : plugin_search_path(options)) {
    const fs::path dir = normalised(entry);
    if (!seen_dirs.insert(dir).second) continue;  // e.g. ADAPT_PLUGIN_PATH naming the build tree
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
      // Only directories the user named are worth a warning; the install and build dirs may not exist.
      const auto& named = options.plugin_paths;
      if (std::find(named.begin(), named.end(), entry) != named.end())
        found.warnings.push_back("plugin path " + entry.string() + " does not exist");
      continue;
    }
    for (const auto& file : files_in(entry, dir, options, found)) {
      const fs::path canonical = normalised(file);
      if (!seen_files.insert(canonical).second) continue;
      // The same file name earlier on the path shadows this one unopened.
      auto [first, fresh] = first_of_file_name.emplace(canonical.filename().string(), canonical);
      if (!fresh) {
        found.warnings.push_back("plugin file " + canonical.filename().string() + " found twice: using " +
                                 first->second.string() + " (earlier on the search path), ignoring " + file.string());
        continue;
      }
      PluginManifest manifest;
      std::string refusal = plugin_file_refusal(file, options, manifest);
      if (!refusal.empty()) {
        found.failures.push_back({file, refusal});
        continue;
      }
      if (const PluginCandidate* earlier = found.find(manifest.name)) {
        found.warnings.push_back("plugin " + manifest.name + " found twice: using " + earlier->file.string() +
                                 " (earlier on the search path), ignoring " + file.string());
        continue;
      }
      found.plugins.push_back({canonical, manifest});
    }
  }
  return found;
}

// ---- directories --------------------------------------------------------------------------------

fs::path adapt_library_dir() {
  // This code lives in libadapt_core.so, or in the `adapt` program (which does not load LibTorch for
  // `adapt plugins`): then the libraries are in ../<libdir> beside it.
  Dl_info info{};
  if (!::dladdr(reinterpret_cast<void*>(&adapt_library_dir), &info) || !info.dli_fname) return {};
  std::error_code ec;
  fs::path object = fs::canonical(info.dli_fname, ec);
  if (ec) return {};
  if (object.filename().string().rfind("libadapt_core", 0) == 0) return object.parent_path();
  for (const fs::path& rel : {fs::path(ADAPT_INSTALL_LIBDIR), fs::path("lib")}) {
    fs::path dir = (object.parent_path().parent_path() / rel).lexically_normal();
    if (fs::exists(dir / "libadapt_core.so", ec)) return dir;
  }
  return {};
}

fs::path install_plugin_dir() {
  // Relocatable: <libdir>/adapt/plugins next to the libadapt_core.so in use, so an install moved to
  // (or made with) another prefix finds its own plugins. Falls back to the configured prefix.
  const fs::path dir = adapt_library_dir();
  return dir.empty() ? fs::path(ADAPT_INSTALL_PLUGIN_DIR) : dir / "adapt" / "plugins";
}

fs::path build_plugin_dir() { return fs::path(ADAPT_BUILD_PLUGIN_DIR); }

}  // namespace adapt
