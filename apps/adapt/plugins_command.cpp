// `adapt plugins list` and `adapt plugins info NAME` (gst-inspect is the model): what was found,
// from which file, and every component with its documented options.
#include <adapt/common/version.h>
#include <adapt/plugin/plugin_host.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"

namespace adapt::cli {

namespace {

json plugin_json(const LoadedPlugin& p) {
  return {{"name", p.name},       {"version", p.version},         {"license", p.license},
          {"description", p.description}, {"file", p.file.string()}, {"fingerprint", p.fingerprint},
          {"components", p.components}};
}

json component_json(const ComponentInfo& c) {
  json options = json::array();
  for (const auto& o : c.options) options.push_back(o.describe());
  return {{"kind", to_string(c.kind)}, {"name", c.name}, {"help", c.help}, {"options", options}};
}

std::string constraints(const OptionSpec& o) {
  std::vector<std::string> parts;
  auto num = [](double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  };
  if (o.exclusive_min()) parts.push_back("> " + num(*o.exclusive_min()));
  if (o.min_value()) parts.push_back(">= " + num(*o.min_value()));
  if (o.max_value()) parts.push_back("<= " + num(*o.max_value()));
  if (!o.allowed().empty()) {
    std::string list;
    for (const auto& c : o.allowed()) list += (list.empty() ? "" : "|") + c;
    parts.push_back("one of " + list);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

void print_component(const ComponentInfo& c, std::ostream& out) {
  out << "\n" << to_string(c.kind) << " " << c.name << "\n";
  if (!c.help.empty()) out << "  " << c.help << "\n";
  if (c.options.empty()) {
    out << "  (no options)\n";
    return;
  }
  size_t name_width = 4, type_width = 4, default_width = 7;
  std::vector<std::string> defaults;
  for (const auto& o : c.options) {
    std::string d = o.is_required() ? "required" : o.default_value().is_null() ? "(unset)" : o.default_value().dump();
    defaults.push_back(d);
    name_width = std::max(name_width, o.name().size());
    type_width = std::max(type_width, to_string(o.type()).size());
    default_width = std::max(default_width, std::min<size_t>(d.size(), 24));
  }
  out << "  options:\n";
  for (size_t i = 0; i < c.options.size(); ++i) {
    const auto& o = c.options[i];
    out << "    " << std::left << std::setw(static_cast<int>(name_width)) << o.name() << "  "
        << std::setw(static_cast<int>(type_width)) << to_string(o.type()) << "  "
        << std::setw(static_cast<int>(default_width)) << defaults[i] << "  " << o.help();
    std::string c_text = constraints(o);
    if (!c_text.empty()) out << " [" << c_text << "]";
    out << "\n";
  }
}

// Failures whose file looks like it would have provided plugin `name` (libNAME.so, libadapt_NAME.so).
std::vector<PluginFailure> failures_for(const PluginHost& host, const std::string& name) {
  std::vector<PluginFailure> out;
  for (const auto& f : host.failures()) {
    std::string file = f.file.filename().string();
    if (file == "lib" + name + ".so" || file == "libadapt_" + name + ".so") out.push_back(f);
  }
  return out;
}

}  // namespace

int plugins_list(const Global& global) {
  Registry& registry = global_registry();
  const PluginHost& host = global_plugin_host();
  if (global.json_output) {
    json plugins = json::array(), failures = json::array(), search = json::array();
    for (const auto& p : host.plugins()) plugins.push_back(plugin_json(p));
    for (const auto& f : host.failures()) failures.push_back({{"file", f.file.string()}, {"reason", f.reason}});
    for (const auto& d : host.search_path()) search.push_back(d.string());
    json out = {{"adapt", version()},
                {"fingerprint", build_fingerprint()},
                {"core_components", registry.components_of_plugin("core").size()},
                {"plugins", plugins},
                {"failures", failures},
                {"warnings", host.warnings()},
                {"search_path", search}};
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "adapt " << version() << " (" << build_fingerprint() << ")\n";
  std::cout << "core: " << registry.components_of_plugin("core").size() << " components\n\n";
  if (host.plugins().empty()) {
    std::cout << "No plugins loaded. Searched, in order:\n";
    for (const auto& d : host.search_path()) std::cout << "  " << d.string() << "\n";
  } else {
    size_t name_w = 4, version_w = 7, license_w = 7;
    for (const auto& p : host.plugins()) {
      name_w = std::max(name_w, p.name.size());
      version_w = std::max(version_w, p.version.size());
      license_w = std::max(license_w, p.license.size());
    }
    auto row = [&](const std::string& n, const std::string& v, const std::string& l, const std::string& c,
                   const std::string& f) {
      std::cout << std::left << std::setw(static_cast<int>(name_w)) << n << "  " << std::setw(static_cast<int>(version_w))
                << v << "  " << std::setw(static_cast<int>(license_w)) << l << "  " << std::setw(10) << c << "  " << f
                << "\n";
    };
    row("NAME", "VERSION", "LICENSE", "COMPONENTS", "FILE");
    for (const auto& p : host.plugins()) {
      row(p.name, p.version, p.license, std::to_string(p.components.size()), p.file.string());
    }
  }
  if (!host.failures().empty()) {
    std::cout << "\nFailed to load:\n";
    for (const auto& f : host.failures()) std::cout << "  " << f.file.string() << "\n    " << f.reason << "\n";
  }
  for (const auto& w : host.warnings()) std::cerr << "adapt: warning: " << w << "\n";
  return 0;
}

int plugins_info(const Global& global, const std::string& name) {
  Registry& registry = global_registry();
  const PluginHost& host = global_plugin_host();
  const LoadedPlugin* plugin = host.find(name);
  if (!plugin && name != "core") {
    std::string message = "no plugin named \"" + name + "\" is loaded";
    auto failed = failures_for(host, name);
    if (!failed.empty()) {
      message += "; it failed to load: " + failed.front().reason;
    } else {
      std::string loaded;
      for (const auto& p : host.plugins()) loaded += (loaded.empty() ? "" : ", ") + p.name;
      message += ". Loaded: " + (loaded.empty() ? std::string("none") : loaded) +
                 " (and \"core\"). See `adapt plugins list` for what was searched and what failed.";
    }
    throw Error(message);
  }
  auto components = registry.components_of_plugin(name);
  if (global.json_output) {
    json out = plugin ? plugin_json(*plugin)
                      : json{{"name", "core"}, {"version", version()}, {"fingerprint", build_fingerprint()}};
    json list = json::array();
    for (const auto& c : components) list.push_back(component_json(c));
    out["components"] = list;
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "Plugin Details:\n";
  auto field = [](const std::string& key, const std::string& value) {
    std::cout << "  " << std::left << std::setw(14) << key << value << "\n";
  };
  if (plugin) {
    field("Name", plugin->name);
    field("Description", plugin->description);
    field("Version", plugin->version);
    field("License", plugin->license);
    field("Filename", plugin->file.string());
    field("Built with", plugin->fingerprint);
  } else {
    field("Name", "core");
    field("Description", "components of the core library");
    field("Version", version());
    field("Built with", build_fingerprint());
  }
  field("Components", std::to_string(components.size()));
  for (const auto& c : components) print_component(c, std::cout);
  return 0;
}

}  // namespace adapt::cli
