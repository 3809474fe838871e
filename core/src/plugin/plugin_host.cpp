// The plugin host: opening checked plugin files, registration, loading on first use.
// Every failure becomes a PluginFailure with a message that says what to do; nothing here throws
// for a bad plugin, so one broken file never stops the host.
#include "adapt/plugin/plugin_host.h"

#include <dlfcn.h>

#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <mutex>

#include "adapt/common/version.h"
#include "adapt/plugin/plugin.h"
#include "adapt/plugin/plugin_manifest.h"
#include "adapt/plugin/plugin_scan.h"
#include "plugin/normalised_path.h"

namespace fs = std::filesystem;
using adapt::detail::normalised;

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

// Boost.DLL clears dlerror(); a second plain dlopen reproduces the loader's own explanation.
std::string loader_error(const fs::path& file) {
  ::dlerror();
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle) return "the library loads on a second try; the first attempt failed for an unknown reason";
  const char* message = ::dlerror();
  return message ? message : "unknown loader error";
}

const char* or_empty(const char* s) { return s ? s : ""; }

struct Opened {
  const adapt_plugin_descriptor* descriptor = nullptr;
  std::string error;
};

// Opens `canonical` (never closed) once its manifest passed (plugin_file_refusal, which also refuses
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
    result.error = plugin_incompatibility(file, d->abi_version, "", "");
    return result;
  }
  result.error = plugin_incompatibility(file, d->abi_version, or_empty(d->name), or_empty(d->fingerprint));
  if (!result.error.empty()) return result;
  if (!d->register_components) {
    result.error = file + " (plugin " + or_empty(d->name) + "): its descriptor has no register function";
    return result;
  }
  result.descriptor = d;
  return result;
}

}  // namespace

PluginHost::PluginHost(Registry& registry, PluginHostOptions options)
    : registry_(registry), options_(std::move(options)) {}

std::vector<fs::path> PluginHost::search_path() const { return plugin_search_path(options_); }

const LoadedPlugin* PluginHost::find(const std::string& name) const {
  for (const auto& plugin : plugins_) {
    if (plugin.name == name) return &plugin;
  }
  return nullptr;
}

void PluginHost::take_discovery(PluginDiscovery found) {
  auto known = [](const auto& list, const auto& item) { return std::find(list.begin(), list.end(), item) != list.end(); };
  for (const auto& w : found.warnings)
    if (!known(warnings_, w)) warnings_.push_back(w);
  for (const auto& f : found.failures) {
    bool seen = std::any_of(failures_.begin(), failures_.end(), [&](const PluginFailure& g) { return g.file == f.file; });
    if (!seen) failures_.push_back(f);
  }
  discovery_ = std::move(found);
}

void PluginHost::discover() {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  take_discovery(discover_plugins(options_));
}

void PluginHost::load_all() {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  discover();
  for (const auto& candidate : discovery_.plugins) load(candidate.file);
}

bool PluginHost::load_plugin(const std::string& name) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (find(name)) return true;
  const PluginCandidate* candidate = discovery_.find(name);
  return candidate && load(candidate->file);
}

void PluginHost::load_on_demand() {
  discover();
  registry_.set_plugin_loader([this](const std::string& plugin) { load_plugin(plugin); });
}

bool PluginHost::load(const fs::path& file) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  auto fail = [&](const std::string& reason) {
    failures_.push_back({file, reason});
    return false;
  };
  const fs::path canonical = normalised(file);
  for (const auto& plugin : plugins_) {
    if (plugin.file == canonical) return true;  // already loaded through another path
  }
  // Everything that can be checked is checked from the file before any of its code runs.
  PluginManifest manifest;
  const std::string problem = plugin_file_refusal(file, options_, manifest);
  if (!problem.empty()) return fail(problem);
  if (options_.respect_blacklist) {
    const std::string reason = blacklist_reason(canonical);
    if (!reason.empty())
      return fail(reason + " Fix or remove the plugin; `adapt plugins scan` retries it once the file changes.");
  }
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
  host->load_on_demand();
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
