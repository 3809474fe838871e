// The registry of named components. Names are "<plugin>.<component>", so the plugin that provides a
// component can always be read off its name; a name taken twice is an error naming both files.
#include "adapt/plugin/registry.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "adapt/common/version.h"
#include "common/edit_distance.h"
#include "data/split_files_reader.h"

namespace adapt {

namespace {

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string where(const ComponentInfo& info) {
  return info.plugin_file.empty() ? std::string("the core library") : info.plugin_file;
}

// The core's split-file options of a reader spec (test_path, valid_path, split_column), checked.
Options split_file_options(const json& spec, const std::string& path) {
  json files = json::object();
  if (spec.is_object())
    for (const auto& option : split_file_schema())
      if (spec.contains(option.name())) files[option.name()] = spec[option.name()];
  return Options(split_file_schema(), files, path);
}

// Keys the core reads from a component object itself (docs/recipes.md), so they are not options of
// the component: a block's batch `key` and `state_from`, a model's `init_from`.
std::vector<std::string> reserved_keys(Kind kind) {
  if (kind == Kind::block) return {"key", "state_from"};
  if (kind == Kind::model) return {"init_from"};
  return {};
}

bool valid_component_part(const std::string& part) {
  if (part.empty() || part.front() == '.' || part.back() == '.' || part.find("..") != std::string::npos) return false;
  return std::all_of(part.begin(), part.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}


template <typename Result, typename Call>
std::shared_ptr<Result> create(Kind kind, const std::string& name, const std::string& path, Call&& call) {
  std::shared_ptr<Result> result;
  try {
    result = call();
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {  // LibTorch's own message, without its C++ backtrace
    throw Error((path.empty() ? name : path) + ": creating " + to_string(kind) + " \"" + name +
                "\" failed: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Error((path.empty() ? name : path) + ": creating " + to_string(kind) + " \"" + name +
                "\" failed: " + e.what());
  }
  if (!result) {
    throw Error((path.empty() ? name : path) + ": the factory of " + to_string(kind) + " \"" + name +
                "\" returned nothing; this is a bug in the plugin that provides it");
  }
  return result;
}

}  // namespace

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::reader: return "reader";
    case Kind::splitter: return "splitter";
    case Kind::block: return "block";
    case Kind::transform: return "transform";
    case Kind::model: return "model";
    case Kind::loss: return "loss";
    case Kind::metric: return "metric";
    case Kind::baseline: return "baseline";
    case Kind::report: return "report";
    case Kind::demo: return "demo";
  }
  return "component";
}

std::vector<Kind> all_kinds() {
  return {Kind::reader, Kind::splitter, Kind::block,    Kind::transform, Kind::model,
          Kind::loss,   Kind::metric,   Kind::baseline, Kind::report,    Kind::demo};
}

Registry::Registry() : current_version_(version()) {}

void Registry::add(Kind kind, const std::string& name, const std::string& help, OptionSchema schema,
                   std::shared_ptr<void> factory) {
  const std::string prefix = current_plugin_ + ".";
  const std::string origin = current_file_.empty() ? std::string("the core library") : current_file_;
  if (name.compare(0, prefix.size(), prefix) != 0 || !valid_component_part(name.substr(prefix.size()))) {
    throw PluginError(to_string(kind) + std::string(" \"") + name + "\" from " + origin +
                      ": component names must be \"" + prefix +
                      "<component>\" (letters, digits, '_', '-'), named after the plugin that registers them");
  }
  if (!factory) {
    throw PluginError(std::string(to_string(kind)) + " \"" + name + "\" from " + origin + ": registered without a factory");
  }
  std::set<std::string> seen;
  for (const auto& option : schema) {
    if (option.name() == "name" || !seen.insert(option.name()).second) {
      throw PluginError(std::string(to_string(kind)) + " \"" + name + "\" from " + origin + ": option \"" +
                        option.name() + "\" is declared twice or uses the reserved key \"name\"");
    }
  }
  std::lock_guard<std::recursive_mutex> lock(lazy_.state->mutex);
  auto key = std::make_pair(kind, name);
  auto existing = entries_.find(key);
  if (existing != entries_.end()) {
    const bool same_file = existing->second.info.plugin_file == current_file_;
    throw PluginError(std::string(to_string(kind)) + " \"" + name + "\" is registered twice: first by " +
                      where(existing->second.info) + " (plugin " + existing->second.info.plugin + "), again by " +
                      origin + " (plugin " + current_plugin_ + "). " +
                      (same_file ? "The plugin's register function adds it twice: fix the plugin."
                                 : "Remove one of the two plugin files from the search path, or rename the component."));
  }
  Entry entry{ComponentInfo{kind, name, help, std::move(schema), current_plugin_, current_file_, current_version_}, std::move(factory)};
  entries_.emplace(key, std::move(entry));
  added_by_current_.push_back(key);
}

#define ADAPT_REGISTRY_ADD(method, KIND, Factory)                                                       \
  void Registry::method(const std::string& name, const std::string& help, OptionSchema schema, Factory f) { \
    add(KIND, name, help, std::move(schema), f ? std::make_shared<Factory>(std::move(f)) : nullptr);      \
  }
ADAPT_REGISTRY_ADD(add_reader, Kind::reader, ReaderFactory)
ADAPT_REGISTRY_ADD(add_splitter, Kind::splitter, SplitterFactory)
ADAPT_REGISTRY_ADD(add_block, Kind::block, BlockFactory)
ADAPT_REGISTRY_ADD(add_transform, Kind::transform, TransformFactory)
ADAPT_REGISTRY_ADD(add_model, Kind::model, ModelFactory)
ADAPT_REGISTRY_ADD(add_loss, Kind::loss, LossFactory)
ADAPT_REGISTRY_ADD(add_metric, Kind::metric, MetricFactory)
ADAPT_REGISTRY_ADD(add_baseline, Kind::baseline, BaselineFactory)
ADAPT_REGISTRY_ADD(add_report, Kind::report, ReportFactory)
ADAPT_REGISTRY_ADD(add_demo, Kind::demo, DemoFactory)
#undef ADAPT_REGISTRY_ADD

const Registry::Entry& Registry::find(Kind kind, const json& spec, const std::string& path, std::string* name) const {
  const std::string name_path = spec.is_string() ? path : join_path(path, "name");
  std::string wanted;
  if (spec.is_string()) {
    wanted = spec.get<std::string>();
  } else if (spec.is_object() && spec.contains("name") && spec["name"].is_string()) {
    wanted = spec["name"].get<std::string>();
  } else if (spec.is_object() && spec.contains("name")) {
    throw OptionError(name_path + ": expected a component name string, got " + spec["name"].dump());
  } else {
    throw OptionError((path.empty() ? std::string(to_string(kind)) : path) + ": expected a " + to_string(kind) +
                      " name or an object {\"name\": \"plugin.component\", ...}, got " + spec.dump());
  }
  std::lock_guard<std::recursive_mutex> lock(lazy_.state->mutex);
  auto it = entries_.find({kind, wanted});
  if (it == entries_.end() && wanted.find('.') != std::string::npos) {
    load_on_demand(wanted.substr(0, wanted.find('.')));
    it = entries_.find({kind, wanted});
  }
  if (it != entries_.end()) {
    if (name) *name = wanted;
    return it->second;
  }
  std::string available, closest;
  size_t best = 4;
  bool plugin_present = false;
  const std::string plugin = wanted.substr(0, wanted.find('.'));
  for (const auto& [key, entry] : entries_) {
    if (entry.info.plugin == plugin) plugin_present = true;
    if (key.first != kind) continue;
    available += (available.empty() ? "" : ", ") + key.second;
    size_t d = detail::edit_distance(wanted, key.second);
    if (d < best) best = d, closest = key.second;
  }
  std::string message = name_path + ": unknown " + to_string(kind) + " \"" + wanted + "\"";
  if (!closest.empty()) message += " (did you mean \"" + closest + "\"?)";
  message += available.empty() ? std::string("; no ") + to_string(kind) + " is registered"
                               : std::string("; available: ") + available;
  if (!plugin_present && wanted.find('.') != std::string::npos) {
    message += ". No plugin named \"" + plugin +
               "\" is loaded: check `adapt plugins list` and --plugin-path / ADAPT_PLUGIN_PATH";
  }
  throw OptionError(message);
}

Options Registry::options(Kind kind, const json& spec, const std::string& path) const {
  const Entry& entry = find(kind, spec, path, nullptr);
  if (spec.is_string()) return Options(entry.info.options, json{{"name", spec}}, path);
  json given = spec;
  for (const auto& key : reserved_keys(kind)) given.erase(key);
  if (kind == Kind::reader && core_reads_split_files(entry.info.options)) {
    split_file_options(spec, path);  // checked here, read by reader()
    for (const auto& option : split_file_schema()) given.erase(option.name());
  }
  return Options(entry.info.options, given, path);
}

// A reader whose data comes as official split files (test_path, valid_path) is that reader once per
// file, joined by a SplitFilesReader (data/split_files_reader.h).
std::shared_ptr<Reader> Registry::reader(const json& spec, const std::string& path) const {
  std::string name;
  const Entry& entry = find(Kind::reader, spec, path, &name);
  const auto& factory = *std::static_pointer_cast<ReaderFactory>(entry.factory);
  auto make = [&](const json& file_spec) {
    Options options = this->options(Kind::reader, file_spec, path);
    return create<Reader>(Kind::reader, name, path, [&] { return factory(options); });
  };
  if (!spec.is_object() || !core_reads_split_files(entry.info.options)) return make(spec);
  const Options files = split_file_options(spec, path);
  if (files.string("test_path").empty() && files.string("valid_path").empty()) return make(spec);
  std::vector<SplitFile> parts{{"train", spec.value("path", std::string()), make(spec)}};
  for (const auto& [key, part] : {std::pair<const char*, const char*>{"valid_path", "valid"}, {"test_path", "test"}}) {
    if (files.string(key).empty()) continue;
    json file_spec = spec;
    file_spec["path"] = files.string(key);
    parts.push_back({part, files.string(key), make(file_spec)});
  }
  return std::make_shared<SplitFilesReader>(std::move(parts), files.string("split_column"));
}

#define ADAPT_REGISTRY_CREATE(method, KIND, Result, Factory)                                         \
  std::shared_ptr<Result> Registry::method(const json& spec, const std::string& path) const {       \
    std::string name;                                                                                \
    const Entry& entry = find(KIND, spec, path, &name);                                              \
    Options options = this->options(KIND, spec, path);                                               \
    const auto& factory = *std::static_pointer_cast<Factory>(entry.factory);                         \
    return create<Result>(KIND, name, path, [&] { return factory(options); });                      \
  }
ADAPT_REGISTRY_CREATE(splitter, Kind::splitter, Splitter, SplitterFactory)
ADAPT_REGISTRY_CREATE(block, Kind::block, Block, BlockFactory)
ADAPT_REGISTRY_CREATE(transform, Kind::transform, Transform, TransformFactory)
ADAPT_REGISTRY_CREATE(loss, Kind::loss, Loss, LossFactory)
ADAPT_REGISTRY_CREATE(metric, Kind::metric, Metric, MetricFactory)
ADAPT_REGISTRY_CREATE(baseline, Kind::baseline, Baseline, BaselineFactory)
ADAPT_REGISTRY_CREATE(report, Kind::report, Report, ReportFactory)
ADAPT_REGISTRY_CREATE(demo, Kind::demo, Demo, DemoFactory)
#undef ADAPT_REGISTRY_CREATE

std::shared_ptr<Model> Registry::model(const json& spec, const std::string& path, const ModelContext& ctx) const {
  std::string name;
  const Entry& entry = find(Kind::model, spec, path, &name);
  Options options = this->options(Kind::model, spec, path);
  const auto& factory = *std::static_pointer_cast<ModelFactory>(entry.factory);
  ModelContext with_registry = ctx;
  with_registry.registry = this;
  return create<Model>(Kind::model, name, path, [&] { return factory(options, with_registry); });
}

void Registry::set_plugin_loader(PluginLoader loader) {
  std::lock_guard<std::recursive_mutex> lock(lazy_.state->mutex);
  lazy_.state->loader = std::move(loader);
  lazy_.state->asked.clear();
}

void Registry::load_on_demand(const std::string& plugin) const {
  Lazy& lazy = *lazy_.state;
  std::lock_guard<std::recursive_mutex> lock(lazy.mutex);
  if (!lazy.loader || plugin == "core" || plugin == current_plugin_ || !lazy.asked.insert(plugin).second) return;
  for (const auto& [key, entry] : entries_)
    if (entry.info.plugin == plugin) return;  // registered already (a host loaded it before)
  lazy.loader(plugin);
}

json describe(const ComponentInfo& info) {
  json options = json::array();
  for (const auto& o : info.options) options.push_back(o.describe());
  return {{"kind", to_string(info.kind)}, {"name", info.name}, {"help", info.help}, {"options", options}};
}

bool Registry::has(Kind kind, const std::string& name) const {
  std::lock_guard<std::recursive_mutex> lock(lazy_.state->mutex);
  if (!entries_.count({kind, name}) && name.find('.') != std::string::npos)
    load_on_demand(name.substr(0, name.find('.')));
  return entries_.count({kind, name}) > 0;
}

const ComponentInfo& Registry::info(Kind kind, const std::string& name) const {
  return find(kind, json(name), to_string(kind), nullptr).info;
}

std::vector<ComponentInfo> Registry::components() const {
  std::lock_guard<std::recursive_mutex> lock(lazy_.state->mutex);
  std::vector<ComponentInfo> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(entry.info);
  return out;  // the map's order: by kind, then name
}

std::vector<ComponentInfo> Registry::components_of_plugin(const std::string& plugin) const {
  std::lock_guard<std::recursive_mutex> lock(lazy_.state->mutex);
  load_on_demand(plugin);
  std::vector<ComponentInfo> out;
  for (const auto& [key, entry] : entries_) {
    if (entry.info.plugin == plugin) out.push_back(entry.info);
  }
  return out;
}

std::string Registry::plugin_version(const std::string& plugin) const {
  if (plugin == "core") return version();
  std::lock_guard<std::recursive_mutex> lock(lazy_.state->mutex);
  load_on_demand(plugin);
  for (const auto& [key, entry] : entries_)
    if (entry.info.plugin == plugin) return entry.info.plugin_version;
  return "";
}

void Registry::begin_plugin(const std::string& plugin, const std::string& file, const std::string& version) {
  if (plugin.empty()) throw PluginError("Registry::begin_plugin: a plugin needs a name (" + file + ")");
  current_plugin_ = plugin;
  current_file_ = file;
  current_version_ = version;
  added_by_current_.clear();
}

void Registry::end_plugin() {
  current_plugin_ = "core";
  current_file_.clear();
  current_version_ = version();
  added_by_current_.clear();
}

void Registry::rollback_plugin() {
  std::lock_guard<std::recursive_mutex> lock(lazy_.state->mutex);
  for (const auto& key : added_by_current_) entries_.erase(key);
  end_plugin();
}

}  // namespace adapt
