// adapt-plugin-scanner FILE | --core: the helper process of `adapt plugins scan` (gst-plugin-scanner is the
// model). It opens one plugin into an empty registry and writes what the plugin registered, as JSON,
// to file descriptor 3: {"plugin": {...}, "components": [...]}, or {"error": "..."} when the host
// refused it or its registration threw. A crash or a hang here costs only this process: the scan
// blacklists the file. With --core it reports the core's own components.
#include <adapt/common/version.h>
#include <adapt/plugin/plugin_host.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace {

int report(const adapt::json& result) {
  const std::string text = result.dump();
  FILE* out = ::fdopen(3, "w");
  if (!out || std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fclose(out) != 0) {
    std::cerr << "adapt-plugin-scanner: cannot write to file descriptor 3; it is run by `adapt plugins scan`\n";
    return 2;
  }
  return result.contains("error") ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: adapt-plugin-scanner PLUGIN_FILE|--core (run by `adapt plugins scan`, reports on fd 3)\n";
    return 2;
  }
  try {
    if (std::string(argv[1]) == "--core") {
      adapt::Registry core;
      adapt::register_core_components(core);
      adapt::json components = adapt::json::array();
      for (const auto& info : core.components()) components.push_back(adapt::describe(info));
      return report({{"plugin", {{"name", "core"}, {"version", adapt::version()}, {"license", ""},
                                 {"description", "components of the core library"},
                                 {"fingerprint", adapt::build_fingerprint()}, {"abi", ADAPT_PLUGIN_ABI_VERSION}}},
                     {"components", components}});
    }
    adapt::Registry registry;  // empty: only what the plugin registers is reported
    // The caller checked permissions already; this process must judge the code, not the file's mode.
    auto options = adapt::PluginHostOptions::only({});
    options.allow_insecure = true;
    adapt::PluginHost host(registry, options);
    if (!host.load(argv[1])) return report({{"error", host.failures().front().reason}});
    const adapt::LoadedPlugin& p = host.plugins().front();
    adapt::json components = adapt::json::array();
    for (const auto& info : registry.components_of_plugin(p.name)) components.push_back(adapt::describe(info));
    return report({{"plugin",
                    {{"name", p.name},
                     {"version", p.version},
                     {"license", p.license},
                     {"description", p.description},
                     {"fingerprint", p.fingerprint},
                     {"abi", ADAPT_PLUGIN_ABI_VERSION}}},
                   {"components", components}});
  } catch (const std::exception& e) {
    return report({{"error", std::string(argv[1]) + ": scanning it failed: " + e.what()}});
  }
}
