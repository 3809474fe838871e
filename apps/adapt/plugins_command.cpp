// `adapt plugins list`, `info NAME` and `scan` (gst-inspect is the model): what was found, from which
// file, every component with its documented options, and every file refused or blacklisted with the
// reason. Everything comes from scan_plugins(): plugins run only in its helper processes.
#include "plugins_command.h"

#include <adapt/common/error.h>
#include <adapt/common/version.h>
#include <adapt/plugin/plugin_scan.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace adapt::cli {

namespace {

using nlohmann::json;

json plugin_json(const ScannedPlugin& p) {
  json names = json::array();
  for (const auto& c : p.components) names.push_back(c.value("name", ""));
  return {{"name", p.manifest.name},         {"version", p.manifest.version},
          {"license", p.manifest.license},   {"description", p.manifest.description},
          {"file", p.file.string()},         {"fingerprint", p.manifest.fingerprint},
          {"components", names}};
}

json failures_json(const std::vector<PluginFailure>& failures) {
  json out = json::array();
  for (const auto& f : failures) out.push_back({{"file", f.file.string()}, {"reason", f.reason}});
  return out;
}

std::string number(const json& v) {
  std::ostringstream s;
  s << v.get<double>();
  return s.str();
}

// "[>= 1, one of a|b]" from an option's description.
std::string constraints(const json& o) {
  std::vector<std::string> parts;
  if (o.contains("greater_than")) parts.push_back("> " + number(o["greater_than"]));
  if (o.contains("min")) parts.push_back(">= " + number(o["min"]));
  if (o.contains("max")) parts.push_back("<= " + number(o["max"]));
  if (o.contains("choices")) {
    std::string list;
    for (const auto& c : o["choices"]) list += (list.empty() ? "" : "|") + c.get<std::string>();
    parts.push_back("one of " + list);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

void print_component(const json& c, std::ostream& out) {
  out << "\n" << c.value("kind", "") << " " << c.value("name", "") << "\n";
  if (!c.value("help", "").empty()) out << "  " << c.value("help", "") << "\n";
  const json& options = c["options"];
  if (options.empty()) {
    out << "  (no options)\n";
    return;
  }
  size_t name_width = 4, type_width = 4, default_width = 7;
  std::vector<std::string> defaults;
  for (const auto& o : options) {
    std::string d = o.value("required", false) ? "required" : o["default"].is_null() ? "(unset)" : o["default"].dump();
    defaults.push_back(d);
    name_width = std::max(name_width, o.value("name", "").size());
    type_width = std::max(type_width, o.value("type", "").size());
    default_width = std::max(default_width, std::min<size_t>(d.size(), 24));
  }
  out << "  options:\n";
  for (size_t i = 0; i < options.size(); ++i) {
    const json& o = options[i];
    out << "    " << std::left << std::setw(static_cast<int>(name_width)) << o.value("name", "") << "  "
        << std::setw(static_cast<int>(type_width)) << o.value("type", "") << "  "
        << std::setw(static_cast<int>(default_width)) << defaults[i] << "  " << o.value("help", "");
    const std::string c_text = constraints(o);
    if (!c_text.empty()) out << " [" << c_text << "]";
    out << "\n";
  }
}

void print_failures(const char* title, const std::vector<PluginFailure>& failures) {
  if (failures.empty()) return;
  std::cout << "\n" << title << "\n";
  for (const auto& f : failures) std::cout << "  " << f.file.string() << "\n    " << f.reason << "\n";
}

int plugins_list(const PluginScan& scan, bool as_json) {
  if (as_json) {
    json plugins = json::array(), search = json::array();
    for (const auto& p : scan.plugins) plugins.push_back(plugin_json(p));
    for (const auto& d : scan.search_path) search.push_back(d.string());
    std::cout << json{{"adapt", version()},
                      {"fingerprint", build_fingerprint()},
                      {"core_components", scan.core_components.size()},
                      {"plugins", plugins},
                      {"failures", failures_json(scan.refused)},
                      {"blacklisted", failures_json(scan.blacklisted)},
                      {"warnings", scan.warnings},
                      {"search_path", search},
                      {"cache", scan.cache_file.string()},
                      {"scanned", scan.scanned}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "adapt " << version() << " (" << build_fingerprint() << ")\n";
  std::cout << "core: " << scan.core_components.size() << " components\n\n";
  if (scan.plugins.empty()) {
    std::cout << "No plugins found. Searched, in order:\n";
    for (const auto& d : scan.search_path) std::cout << "  " << d.string() << "\n";
  } else {
    size_t name_w = 4, version_w = 7, license_w = 7;
    for (const auto& p : scan.plugins) {
      name_w = std::max(name_w, p.manifest.name.size());
      version_w = std::max(version_w, p.manifest.version.size());
      license_w = std::max(license_w, p.manifest.license.size());
    }
    auto row = [&](const std::string& n, const std::string& v, const std::string& l, const std::string& c,
                   const std::string& f) {
      std::cout << std::left << std::setw(static_cast<int>(name_w)) << n << "  " << std::setw(static_cast<int>(version_w))
                << v << "  " << std::setw(static_cast<int>(license_w)) << l << "  " << std::setw(10) << c << "  " << f
                << "\n";
    };
    row("NAME", "VERSION", "LICENSE", "COMPONENTS", "FILE");
    for (const auto& p : scan.plugins)
      row(p.manifest.name, p.manifest.version, p.manifest.license, std::to_string(p.components.size()), p.file.string());
  }
  print_failures("Refused (not opened):", scan.refused);
  print_failures("Blacklisted (its scan crashed, hung or threw; retried when the file changes):", scan.blacklisted);
  for (const auto& w : scan.warnings) std::cerr << "adapt: warning: " << w << "\n";
  return 0;
}

// Refusals and blacklistings of a file that would have provided plugin `name`: its manifest says so,
// or it is named lib<name>.so / libadapt_<name>.so.
std::vector<PluginFailure> failures_for(const PluginScan& scan, const std::string& name) {
  std::vector<PluginFailure> out;
  for (const auto* list : {&scan.blacklisted, &scan.refused}) {
    for (const auto& f : *list) {
      std::string file = f.file.filename().string();
      if (file == "lib" + name + ".so" || file == "libadapt_" + name + ".so") out.push_back(f);
    }
  }
  return out;
}

int plugins_info(const PluginScan& scan, const std::string& name, bool as_json) {
  const ScannedPlugin* plugin = scan.find(name);
  if (!plugin && name != "core") {
    std::string message = "no plugin named \"" + name + "\" was found";
    auto failed = failures_for(scan, name);
    if (!failed.empty()) {
      message += "; it was not loaded: " + failed.front().reason;
    } else {
      std::string found;
      for (const auto& p : scan.plugins) found += (found.empty() ? "" : ", ") + p.manifest.name;
      message += ". Found: " + (found.empty() ? std::string("none") : found) +
                 " (and \"core\"). See `adapt plugins list` for what was searched and what failed.";
    }
    throw Error(message);
  }
  const json& components = plugin ? plugin->components : scan.core_components;
  if (as_json) {
    json out = plugin ? plugin_json(*plugin)
                      : json{{"name", "core"}, {"version", version()}, {"fingerprint", build_fingerprint()}};
    out["components"] = components;
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "Plugin Details:\n";
  auto field = [](const std::string& key, const std::string& value) {
    std::cout << "  " << std::left << std::setw(14) << key << value << "\n";
  };
  if (plugin) {
    field("Name", plugin->manifest.name);
    field("Description", plugin->manifest.description);
    field("Version", plugin->manifest.version);
    field("License", plugin->manifest.license);
    field("Filename", plugin->file.string());
    field("Built with", plugin->manifest.fingerprint);
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

}  // namespace

int plugins_command(const Cli& cli) {
  const CliArgs& a = cli.args;
  PluginHostOptions host;
  for (const auto& p : a.plugin_paths) host.plugin_paths.emplace_back(p);
  host.allow_insecure = a.allow_insecure;
  ScanOptions options;
  options.rescan = *cli.scan && a.scan_force;
  const PluginScan scan = scan_plugins(host, options);
  if (*cli.info) return plugins_info(scan, a.info_name, a.json_output);
  if (*cli.scan && !a.json_output)
    std::cout << "Scanned " << scan.scanned << " file(s) in helper processes; cache: " << scan.cache_file.string()
              << "\n\n";
  return plugins_list(scan, a.json_output);
}

}  // namespace adapt::cli
