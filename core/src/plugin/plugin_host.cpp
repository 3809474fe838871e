// The plugin host: discovery, safety checks, ABI and fingerprint checks, registration.
// Every failure becomes a PluginFailure with a message that says what to do; nothing here throws
// for a bad plugin, so one broken file never stops the host.
#include "adapt/plugin/plugin_host.h"

#include <dlfcn.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include "adapt/common/version.h"
#include "adapt/plugin/plugin.h"
#include "adapt/plugin/plugin_manifest.h"

namespace fs = std::filesystem;

namespace adapt {

namespace {

// Every library ever opened stays open until the process exits: LibTorch's static registrations
// and objects created by a plugin (blocks, models, std::function factories) must never outlive
// their code. The container itself is leaked so no static destructor ever unloads one.
std::mutex& libraries_mutex() {
  static auto* m = new std::mutex();
  return *m;
}
std::vector<boost::dll::shared_library>& open_libraries() {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  return *libraries;
}

std::string owner_name(uid_t uid) {
  if (const passwd* pw = getpwuid(uid)) return std::string(pw->pw_name) + " (uid " + std::to_string(uid) + ")";
  return "uid " + std::to_string(uid);
}

std::string octal_mode(mode_t mode) {
  std::ostringstream out;
  out << "0" << std::oct << (mode & 07777);
  return out.str();
}

// Like sshd's StrictModes: a file or directory someone else can write to lets them run code as us.
// Returns an empty string when `path` is safe.
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

std::string insecure_message(const fs::path& file, const std::string& reason) {
  return "refusing to load plugin " + file.string() + ": " + reason +
         ", so another user could replace it with code that runs as you. Fix the permissions (chmod go-w, "
         "chown) or, if you trust every user of this machine, pass --allow-insecure-plugins "
         "(PluginHostOptions::allow_insecure).";
}

// The first failing check of a plugin file and the directories it lives in, or "".
std::string check_file_security(const fs::path& given, const fs::path& canonical) {
  for (const auto& [path, what] : std::vector<std::pair<fs::path, const char*>>{
           {canonical, "the file"},
           {canonical.parent_path(), "its directory"},
           {fs::absolute(given).parent_path(), "its directory"}}) {
    std::string reason = insecure_reason(path, what);
    if (!reason.empty()) return insecure_message(given, reason);
  }
  return {};
}

// Boost.DLL clears dlerror(); a second plain dlopen reproduces the loader's own explanation.
std::string loader_error(const fs::path& file) {
  ::dlerror();
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle) return "the library loads on a second try; the first attempt failed for an unknown reason";
  const char* message = ::dlerror();
  return message ? message : "unknown loader error";
}

// "adapt 0.2.0; headers 9f..; torch 1.13.0; cxx11abi 1; gcc 12" -> {"adapt": "0.2.0", "headers": "9f..", ...}
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

const char* or_empty(const char* s) { return s ? s : ""; }

// Why a plugin declaring this ABI, name and fingerprint cannot run in this host ("" when it can). The
// manifest is checked with it before the library is loaded, the loaded descriptor again after.
std::string incompatibility(const std::string& file, uint32_t abi, const std::string& name,
                            const std::string& theirs) {
  if (abi != ADAPT_PLUGIN_ABI_VERSION)
    return file + " was built for adapt plugin ABI " + std::to_string(abi) + ", but this adapt (" + version() +
           ") uses plugin ABI " + std::to_string(ADAPT_PLUGIN_ABI_VERSION) + ": rebuild the plugin against adapt " +
           version() + ".";
  const std::string ours = build_fingerprint();
  if (theirs != ours) {
    auto t = fingerprint_fields(theirs), o = fingerprint_fields(ours);
    std::string differing;
    for (const auto& [key, value] : o) {
      if (t[key] != value) differing += (differing.empty() ? "" : ", ") + key + " " + (t[key].empty() ? "?" : t[key]) + " vs " + value;
    }
    return file + " (plugin " + name + ") was built with \"" + theirs + "\", but this host was built with \"" + ours +
           "\"" + (differing.empty() ? std::string() : " (differs in: " + differing + ")") +
           ". C++ objects cannot cross between them safely: rebuild the plugin against adapt " + version() + " / torch " +
           o["torch"] + " and these headers with the same compiler (" +
           (o.count("gcc") ? "gcc " + o["gcc"] : "clang " + o["clang"]) +
           "), e.g. configure it with -DCMAKE_PREFIX_PATH=<this adapt's install prefix>.";
  }
  return "";
}

// Reads and checks the manifest of `canonical` without loading it; "" when it may be loaded.
std::string manifest_refusal(const fs::path& shown, const fs::path& canonical, PluginManifest& manifest) {
  const std::string file = shown.string();
  std::optional<PluginManifest> read;
  try {
    read = read_plugin_manifest(canonical);
  } catch (const PluginError& e) {
    return e.what();
  }
  if (!read)
    return file + " is a shared library but not an adapt plugin: it carries no manifest (ELF section " ADAPT_PLUGIN_SECTION
           "), which ADAPT_PLUGIN(...) writes beside the " ADAPT_PLUGIN_ENTRY_POINT "() entry point. Build it with "
           "ADAPT_PLUGIN(...) and adapt_add_plugin() against adapt " + version() +
           " (a plugin built against adapt 0.1 needs rebuilding too), or remove it from the plugin directory.";
  manifest = *read;
  std::string problem = incompatibility(file, manifest.abi_version, manifest.name, manifest.fingerprint);
  if (!problem.empty()) return problem;
  problem = manifest_problem(manifest);
  return problem.empty() ? "" : file + ": " + problem;
}

struct Opened {
  const adapt_plugin_descriptor* descriptor = nullptr;
  std::string error;
};

// Opens `canonical` (never closed) once its manifest passed (manifest_refusal, which also refuses
// files that are not ELF), and checks the loaded descriptor: entry point, ABI number, fingerprint.
Opened open_plugin(const fs::path& shown, const fs::path& canonical) {
  Opened result;
  const std::string file = shown.string();
  boost::dll::shared_library library;
  boost::dll::fs::error_code ec;
  library.load(boost::dll::fs::path(canonical.string()),
               boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec || !library.is_loaded()) {
    result.error = file + " could not be loaded as a shared library: " + loader_error(canonical) +
                   ". If it names a missing library, install it or add its directory to LD_LIBRARY_PATH; if it "
                   "names an undefined symbol, rebuild the plugin against this adapt (" + version() + ").";
    return result;
  }
  {
    std::lock_guard<std::mutex> lock(libraries_mutex());
    open_libraries().push_back(library);
  }
  if (!library.has(ADAPT_PLUGIN_ENTRY_POINT)) {
    result.error = file + " is a shared library but not an adapt plugin: it does not export " ADAPT_PLUGIN_ENTRY_POINT
                   "(). Define it with ADAPT_PLUGIN(...) from <adapt/plugin/plugin.h> and build the plugin with "
                   "adapt_add_plugin(); or remove this file from the plugin directory.";
    return result;
  }
  auto entry = library.get<const adapt_plugin_descriptor*()>(ADAPT_PLUGIN_ENTRY_POINT);
  const adapt_plugin_descriptor* d = entry();
  if (!d) {
    result.error = file + ": " ADAPT_PLUGIN_ENTRY_POINT "() returned no descriptor; rebuild the plugin with ADAPT_PLUGIN(...)";
    return result;
  }
  // abi_version is the first field in every ABI: read nothing else before it matches.
  if (d->abi_version != ADAPT_PLUGIN_ABI_VERSION) {
    result.error = incompatibility(file, d->abi_version, "", "");
    return result;
  }
  result.error = incompatibility(file, d->abi_version, or_empty(d->name), or_empty(d->fingerprint));
  if (!result.error.empty()) return result;
  if (!d->register_components) {
    result.error = file + " (plugin " + or_empty(d->name) + "): its descriptor has no register function";
    return result;
  }
  result.descriptor = d;
  return result;
}

std::vector<fs::path> split_path_list(const char* value) {
  std::vector<fs::path> out;
  if (!value) return out;
  std::string list(value), item;
  std::istringstream in(list);
  while (std::getline(in, item, ':')) {
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

fs::path normalised(const fs::path& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  return ec ? fs::absolute(path).lexically_normal() : p;
}

bool is_plugin_file_name(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.size() > 6 && name.compare(0, 3, "lib") == 0 && name.compare(name.size() - 3, 3, ".so") == 0;
}

fs::path core_library_dir() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&install_plugin_dir), &info) && info.dli_fname) {
    std::error_code ec;
    fs::path lib = fs::canonical(info.dli_fname, ec);
    if (!ec) return lib.parent_path();
  }
  return {};
}

bool running_from_build_tree() {
  const fs::path dir = core_library_dir();
  return !dir.empty() && dir == normalised(build_plugin_dir()).parent_path().parent_path();
}

}  // namespace

PluginHost::PluginHost(Registry& registry, PluginHostOptions options)
    : registry_(registry), options_(std::move(options)) {}

std::vector<fs::path> PluginHost::search_path() const {
  std::vector<fs::path> dirs = options_.plugin_paths;
  if (options_.use_environment) {
    for (auto& dir : split_path_list(std::getenv("ADAPT_PLUGIN_PATH"))) dirs.push_back(dir);
  }
  if (options_.use_install_dir) dirs.push_back(install_plugin_dir());
  // An installed adapt never searches the build tree it was made from: that tree may be gone, stale,
  // or someone else's. Only a core running from its own build tree does.
  if (options_.use_build_dir && running_from_build_tree()) dirs.push_back(build_plugin_dir());
  return dirs;
}

const LoadedPlugin* PluginHost::find(const std::string& name) const {
  for (const auto& plugin : plugins_) {
    if (plugin.name == name) return &plugin;
  }
  return nullptr;
}

void PluginHost::load_all() {
  std::set<fs::path> seen_dirs;
  for (const auto& entry : search_path()) {
    const fs::path dir = normalised(entry);
    if (!seen_dirs.insert(dir).second) continue;  // e.g. ADAPT_PLUGIN_PATH naming the build tree
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
      // Only directories the user named are worth a warning; the install and build dirs may not exist.
      bool named = std::find(options_.plugin_paths.begin(), options_.plugin_paths.end(), entry) != options_.plugin_paths.end();
      if (named) warnings_.push_back("plugin path " + entry.string() + " does not exist");
      continue;
    }
    std::vector<fs::path> candidates;
    if (fs::is_regular_file(dir, ec)) {
      candidates.push_back(entry);  // --plugin-path may name one file
    } else {
      if (!options_.allow_insecure) {
        std::string reason = insecure_reason(dir, "the directory");
        if (!reason.empty()) {
          failures_.push_back({dir, "refusing to load plugins from " + dir.string() + ": " + reason +
                                        ", so another user could put code there that runs as you. Fix the "
                                        "permissions (chmod go-w, chown) or pass --allow-insecure-plugins "
                                        "(PluginHostOptions::allow_insecure) if you trust every user of this machine."});
          continue;
        }
      }
      for (const auto& item : fs::directory_iterator(dir, ec)) {
        if (is_plugin_file_name(item.path()) && fs::is_regular_file(item.path(), ec)) candidates.push_back(item.path());
      }
      std::sort(candidates.begin(), candidates.end());
    }
    for (const auto& file : candidates) {
      const fs::path canonical = normalised(file);
      // The same file name earlier on the path shadows this one without opening it: opening a second
      // copy would run its static initialisers (LibTorch registrations) a second time.
      const LoadedPlugin* shadowing = nullptr;
      bool same_file = false;
      for (const auto& plugin : plugins_) {
        if (plugin.file == canonical) same_file = true;
        else if (plugin.file.filename() == canonical.filename()) shadowing = &plugin;
      }
      if (same_file) continue;
      if (shadowing) {
        warnings_.push_back("plugin " + shadowing->name + " found twice: using " + shadowing->file.string() +
                            " (earlier on the search path), ignoring " + file.string());
        continue;
      }
      // A different file claiming a plugin name already loaded: first wins too.
      // Its manifest names it without loading it.
      PluginManifest manifest;
      if ((options_.allow_insecure || check_file_security(file, canonical).empty()) &&
          manifest_refusal(file, canonical, manifest).empty()) {
        if (const LoadedPlugin* first = find(manifest.name)) {
          warnings_.push_back("plugin " + manifest.name + " found twice: using " + first->file.string() +
                              " (earlier on the search path), ignoring " + file.string());
          continue;
        }
      }
      load(file);
    }
  }
}

bool PluginHost::load(const fs::path& file) {
  auto fail = [&](const std::string& reason) {
    failures_.push_back({file, reason});
    return false;
  };
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return fail("plugin file " + file.string() + " not found; check --plugin-path and ADAPT_PLUGIN_PATH");
  }
  if (!fs::is_regular_file(file, ec)) {
    return fail(file.string() + " is not a regular file; a plugin is a lib<name>.so shared library");
  }
  const fs::path canonical = normalised(file);
  for (const auto& plugin : plugins_) {
    if (plugin.file == canonical) return true;  // already loaded through another path
  }
  if (!options_.allow_insecure) {
    std::string reason = check_file_security(file, canonical);
    if (!reason.empty()) return fail(reason);
  }
  // Everything that can be checked is checked from the file before any of its code runs.
  PluginManifest manifest;
  const std::string problem = manifest_refusal(file, canonical, manifest);
  if (!problem.empty()) return fail(problem);
  const std::string name = manifest.name;
  if (const LoadedPlugin* first = find(name)) {
    return fail(file.string() + ": plugin \"" + name + "\" is already loaded from " + first->file.string() +
                "; two files providing the same plugin would register the same components. Remove one of them "
                "(this one is skipped).");
  }

  Opened opened = open_plugin(file, canonical);
  if (!opened.descriptor) return fail(opened.error);
  const adapt_plugin_descriptor& d = *opened.descriptor;
  if (or_empty(d.name) != name || or_empty(d.version) != manifest.version)
    return fail(file.string() + ": its loaded descriptor (plugin \"" + or_empty(d.name) + "\" " + or_empty(d.version) +
                ") disagrees with its manifest (\"" + name + "\" " + manifest.version +
                "); rebuild it with ADAPT_PLUGIN(...), which writes both");
  registry_.begin_plugin(name, canonical.string(), manifest.version);
  try {
    d.register_components(registry_);
  } catch (const PluginError& e) {
    registry_.rollback_plugin();
    return fail(file.string() + ": plugin \"" + name + "\" is skipped: " + e.what());
  } catch (const std::exception& e) {
    registry_.rollback_plugin();
    return fail(file.string() + ": plugin \"" + name + "\" threw while registering its components: " + e.what() +
                ". The plugin is skipped; report this to its authors.");
  } catch (...) {
    registry_.rollback_plugin();
    return fail(file.string() + ": plugin \"" + name +
                "\" threw a non-standard exception while registering its components. The plugin is skipped.");
  }
  LoadedPlugin loaded;
  loaded.name = name;
  loaded.version = or_empty(d.version);
  loaded.license = or_empty(d.license);
  loaded.description = or_empty(d.description);
  loaded.fingerprint = or_empty(d.fingerprint);
  loaded.file = canonical;
  for (const auto& info : registry_.components_of_plugin(name)) loaded.components.push_back(info.name);
  registry_.end_plugin();
  plugins_.push_back(std::move(loaded));
  return true;
}

// ---- directories compiled into the core ----------------------------------------------------------

fs::path install_plugin_dir() {
  // Relocatable: <libdir>/adapt/plugins next to the libadapt_core.so actually loaded, so an install
  // moved to (or made with) another prefix finds its own plugins. Falls back to the configured prefix.
  const fs::path dir = core_library_dir();
  return dir.empty() ? fs::path(ADAPT_INSTALL_PLUGIN_DIR) : dir / "adapt" / "plugins";
}

fs::path build_plugin_dir() { return fs::path(ADAPT_BUILD_PLUGIN_DIR); }

// ---- the process-wide registry -----------------------------------------------------------------

namespace {
struct GlobalPlugins {
  std::mutex mutex;
  PluginHostOptions options;
  Registry* registry = nullptr;  // leaked with the host: factories' code is never unloaded anyway
  PluginHost* host = nullptr;
};
GlobalPlugins& global_plugins() {
  static auto* g = new GlobalPlugins();
  return *g;
}
void ensure_global_plugins(GlobalPlugins& g) {
  if (g.registry) return;
  auto* registry = new Registry();
  register_core_components(*registry);
  auto* host = new PluginHost(*registry, g.options);
  host->load_all();
  g.registry = registry;
  g.host = host;
}
}  // namespace

Registry& global_registry() {
  auto& g = global_plugins();
  std::lock_guard<std::mutex> lock(g.mutex);
  ensure_global_plugins(g);
  return *g.registry;
}

PluginHost& global_plugin_host() {
  auto& g = global_plugins();
  std::lock_guard<std::mutex> lock(g.mutex);
  ensure_global_plugins(g);
  return *g.host;
}

void configure_global_plugins(PluginHostOptions options) {
  auto& g = global_plugins();
  std::lock_guard<std::mutex> lock(g.mutex);
  if (g.registry) {
    throw Error("configure_global_plugins: the global registry is already loaded; configure it before the first "
                "call to global_registry() or global_plugin_host()");
  }
  g.options = std::move(options);
}

}  // namespace adapt
