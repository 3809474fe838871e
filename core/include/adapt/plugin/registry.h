#pragma once
// Registry: named components ("plugin.component") of every kind, each created from validated options
// and documented by its schema, so recipes are checked and `adapt plugins info` can print them.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "adapt/baseline/baseline.h"
#include "adapt/common/options.h"
#include "adapt/data/block.h"
#include "adapt/data/reader.h"
#include "adapt/data/splitter.h"
#include "adapt/data/transform.h"
#include "adapt/metrics/metric.h"
#include "adapt/model/loss.h"
#include "adapt/model/model.h"
#include "adapt/plugin/demo.h"
#include "adapt/report/report.h"

namespace adapt {

enum class Kind { reader, splitter, block, transform, model, loss, metric, baseline, report, demo };
const char* to_string(Kind kind);
std::vector<Kind> all_kinds();

using ReaderFactory = std::function<std::shared_ptr<Reader>(const Options&)>;
using SplitterFactory = std::function<std::shared_ptr<Splitter>(const Options&)>;
using BlockFactory = std::function<std::shared_ptr<Block>(const Options&)>;
using TransformFactory = std::function<std::shared_ptr<Transform>(const Options&)>;
using ModelFactory = std::function<std::shared_ptr<Model>(const Options&, const ModelContext&)>;
using LossFactory = std::function<std::shared_ptr<Loss>(const Options&)>;
using MetricFactory = std::function<std::shared_ptr<Metric>(const Options&)>;
using BaselineFactory = std::function<std::shared_ptr<Baseline>(const Options&)>;
using ReportFactory = std::function<std::shared_ptr<Report>(const Options&)>;
using DemoFactory = std::function<std::shared_ptr<Demo>(const Options&)>;

struct ComponentInfo {
  Kind kind;
  std::string name;  // "audio.mel"
  std::string help;  // one line
  OptionSchema options;
  std::string plugin;       // "audio", or "core"
  std::string plugin_file;  // the shared library it came from; empty for the core
  std::string plugin_version;  // that plugin's version (the core's for "core"), recorded by exports
};

// A component as JSON: {kind, name, help, options: [OptionSpec::describe()...]} (plugin scans, docs).
ADAPT_API json describe(const ComponentInfo& info);

class ADAPT_API Registry {
 public:
  Registry();  // empty; see core_registry() for one holding the core components

  void add_reader(const std::string& name, const std::string& help, OptionSchema schema, ReaderFactory f);
  void add_splitter(const std::string& name, const std::string& help, OptionSchema schema, SplitterFactory f);
  void add_block(const std::string& name, const std::string& help, OptionSchema schema, BlockFactory f);
  void add_transform(const std::string& name, const std::string& help, OptionSchema schema, TransformFactory f);
  void add_model(const std::string& name, const std::string& help, OptionSchema schema, ModelFactory f);
  void add_loss(const std::string& name, const std::string& help, OptionSchema schema, LossFactory f);
  void add_metric(const std::string& name, const std::string& help, OptionSchema schema, MetricFactory f);
  void add_baseline(const std::string& name, const std::string& help, OptionSchema schema, BaselineFactory f);
  void add_report(const std::string& name, const std::string& help, OptionSchema schema, ReportFactory f);
  void add_demo(const std::string& name, const std::string& help, OptionSchema schema, DemoFactory f);

  // Creation from a JSON object {"name": "...", ...options}; `path` locates it in the recipe for
  // errors ("model", "transforms[2]"). Unknown names list what the registry has of that kind.
  std::shared_ptr<Reader> reader(const json& spec, const std::string& path) const;
  std::shared_ptr<Splitter> splitter(const json& spec, const std::string& path) const;
  std::shared_ptr<Block> block(const json& spec, const std::string& path) const;
  std::shared_ptr<Transform> transform(const json& spec, const std::string& path) const;
  std::shared_ptr<Model> model(const json& spec, const std::string& path, const ModelContext& ctx) const;
  std::shared_ptr<Loss> loss(const json& spec, const std::string& path) const;
  std::shared_ptr<Metric> metric(const json& spec, const std::string& path) const;
  std::shared_ptr<Baseline> baseline(const json& spec, const std::string& path) const;
  std::shared_ptr<Report> report(const json& spec, const std::string& path) const;
  std::shared_ptr<Demo> demo(const json& spec, const std::string& path) const;

  // Lookups by name (creation, has, info, components_of_plugin, plugin_version) of a plugin not yet
  // opened ask the plugin loader for it first; components() lists what is registered so far.
  bool has(Kind kind, const std::string& name) const;
  const ComponentInfo& info(Kind kind, const std::string& name) const;
  std::vector<ComponentInfo> components() const;  // sorted by kind, then name
  std::vector<ComponentInfo> components_of_plugin(const std::string& plugin) const;
  // The version of a plugin that registered components here ("" when none did); the core's for "core".
  std::string plugin_version(const std::string& plugin) const;

  // Opens plugins on first use: the first lookup of a "<plugin>.*" name, for a plugin that has
  // registered nothing yet, calls `loader(plugin)` once (PluginHost::load_on_demand sets it), so a
  // command never opens a plugin it does not use. Lookups are safe from several threads.
  using PluginLoader = std::function<void(const std::string& plugin)>;
  void set_plugin_loader(PluginLoader loader);
  // Validated options for a component (used by the factories above and by recipe checks).
  Options options(Kind kind, const json& spec, const std::string& path) const;

  // Set by the plugin host around a plugin's register(): new components are attributed to it, must
  // be named "<plugin>.<component>", and a name already taken is a PluginError naming both files.
  void begin_plugin(const std::string& plugin, const std::string& file, const std::string& version = "");
  void end_plugin();
  // Undoes everything registered since begin_plugin (a registration that threw is skipped whole).
  void rollback_plugin();

 private:
  struct Entry {
    ComponentInfo info;
    std::shared_ptr<void> factory;  // points to the typed std::function for info.kind
  };
  void add(Kind kind, const std::string& name, const std::string& help, OptionSchema schema,
           std::shared_ptr<void> factory);
  const Entry& find(Kind kind, const json& spec, const std::string& path, std::string* name) const;
  // Asks the loader for `plugin` once, unless it registered something already.
  void load_on_demand(const std::string& plugin) const;

  // One lock over entries_ (recursive: a plugin registers while the lookup that opened it waits),
  // the loader, and the plugins already asked for. A copy of a registry gets its own, without the
  // loader: that loader registers into the original.
  struct Lazy {
    std::recursive_mutex mutex;
    PluginLoader loader;
    std::set<std::string> asked;
  };
  struct LazyHandle {
    std::unique_ptr<Lazy> state = std::make_unique<Lazy>();
    LazyHandle() = default;
    LazyHandle(const LazyHandle&) : LazyHandle() {}
    LazyHandle& operator=(const LazyHandle&) { return *this; }
  };
  LazyHandle lazy_;
  std::map<std::pair<Kind, std::string>, Entry> entries_;
  std::string current_plugin_ = "core";
  std::string current_file_;
  std::string current_version_;
  std::vector<std::pair<Kind, std::string>> added_by_current_;
};

// Registers the core components (readers, splitters, blocks, losses, metrics, baselines).
void register_core_components(Registry& registry);

}  // namespace adapt
