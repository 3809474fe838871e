#pragma once
// ADAPT_CONFORMANCE_SUITE(SuiteName, conformance): the whole kit for one plugin, as four tests:
//   SuiteName.Options     check_options on every component of the plugin
//   SuiteName.Components  check_recipe on each demo's recipe (and the extra recipes), check_block on
//                         the hand-made block cases
//   SuiteName.Demo        check_demo on each demo (skipped when the plugin has none)
//   SuiteName.Coverage    every block, transform and model of the plugin is exercised by one of these
//
//   ADAPT_CONFORMANCE_SUITE(SensorConformance, adapt::testing::Conformance("sensor", {SENSOR_PLUGIN_DIR}))
//
// Work folders are temporary: removed after a passing test, kept (and named) after a failing one.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapt/testing/block_check.h"
#include "adapt/testing/demo_check.h"
#include "adapt/testing/options_check.h"
#include "adapt/testing/plugin_registry.h"
#include "adapt/testing/recipe_check.h"

namespace adapt::testing {

// A block checked on rows the author writes (for blocks no demo uses, or edge cases: unseen values
// in `other`).
struct BlockCase {
  json spec;
  Records train, other;
};

// Another recipe on a demo's data, for components its recipe does not use: `edit` gets the demo's
// recipe (tiny budget, paths into the generated data) and returns the variant.
struct RecipeVariant {
  RecipeVariant(std::string label_, std::function<json(json)> edit_, std::string demo_ = {})
      : label(std::move(label_)), edit(std::move(edit_)), demo(std::move(demo_)) {}
  std::string label;  // names it in failure messages
  std::function<json(json)> edit;
  std::string demo;  // whose data; empty: the plugin's first demo
};

struct Conformance {
  Conformance(std::string plugin_name, std::vector<std::filesystem::path> paths)
      : plugin(std::move(plugin_name)), plugin_paths(std::move(paths)) {}

  std::string plugin;                               // "sensor"; "core" for the core's components
  std::vector<std::filesystem::path> plugin_paths;  // the plugin's file or folder (nothing else loads)
  std::map<std::string, json> demo_options;         // per demo: options for a smaller, faster dataset
  std::vector<RecipeVariant> recipes;
  std::vector<BlockCase> blocks;
  int64_t epochs = 1;  // training budget of the demo check
  CheckOptions checks;
};

namespace detail {

// mkdtemp'd, owner-only (the plugin host refuses group-writable folders); removed unless a check failed.
class WorkDir {
 public:
  explicit WorkDir(const std::string& tag) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("adapt_conformance_" + tag + "_XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern + " failed");
    path_ = pattern;
  }
  ~WorkDir() {
    if (::testing::Test::HasFailure()) {
      std::cerr << "conformance: kept " << path_.string() << " for inspection\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::vector<std::string> demos_of(const Registry& registry, const std::string& plugin) {
  std::vector<std::string> demos;
  for (const auto& info : registry.components_of_plugin(plugin))
    if (info.kind == Kind::demo) demos.push_back(info.name);
  return demos;
}

inline std::shared_ptr<Demo> make_demo(const Registry& registry, const Conformance& c, const std::string& name) {
  auto it = c.demo_options.find(name);
  json spec = it == c.demo_options.end() ? json::object() : it->second;
  spec["name"] = name;
  return registry.demo(spec, "demo");
}

// Every recipe the Components test checks, as (label, recipe), for the demos' data under `data_of`.
inline std::vector<std::pair<std::string, json>> conformance_recipes(
    const Registry& registry, const Conformance& c, const std::function<std::filesystem::path(const std::string&)>& data_of) {
  std::vector<std::pair<std::string, json>> recipes;
  std::map<std::string, json> demo_recipe;
  for (const auto& demo : demos_of(registry, c.plugin)) {
    demo_recipe[demo] = with_tiny_budget(make_demo(registry, c, demo)->recipe(data_of(demo)), c.epochs);
    recipes.emplace_back("recipe of " + demo, demo_recipe[demo]);
  }
  for (const auto& variant : c.recipes) {
    const std::string demo = variant.demo.empty() && !demo_recipe.empty() ? demo_recipe.begin()->first : variant.demo;
    if (!demo_recipe.count(demo)) {
      ADD_FAILURE() << "recipe variant \"" << variant.label << "\": no demo \"" << demo << "\" in plugin " << c.plugin;
      continue;
    }
    recipes.emplace_back("recipe variant \"" + variant.label + "\"", variant.edit(demo_recipe[demo]));
  }
  return recipes;
}

inline Registry& registry_for(const Conformance& c) { return plugin_registry(c.plugin_paths); }

}  // namespace detail

inline void run_options_check(const Conformance& c) {
  ASSERT_TRUE(plugin_loaded(c.plugin_paths, c.plugin));
  check_options(detail::registry_for(c), c.plugin);
}

inline void run_component_checks(const Conformance& c) {
  ASSERT_TRUE(plugin_loaded(c.plugin_paths, c.plugin));
  const Registry& registry = detail::registry_for(c);
  detail::WorkDir work(c.plugin);
  std::map<std::string, std::filesystem::path> generated;
  auto data_of = [&](const std::string& demo) {
    auto& dir = generated[demo];
    if (dir.empty()) {
      dir = work.path() / demo;
      std::filesystem::create_directories(dir);
      detail::make_demo(registry, c, demo)->generate(dir, 42);
    }
    return dir;
  };
  for (const auto& [label, recipe] : detail::conformance_recipes(registry, c, data_of)) {
    SCOPED_TRACE(label);
    check_recipe(registry, recipe, c.checks);
  }
  for (const auto& block : c.blocks) check_block(registry, block.spec, block.train, block.other, c.checks);
}

inline void run_demo_checks(const Conformance& c) {
  ASSERT_TRUE(plugin_loaded(c.plugin_paths, c.plugin));
  const Registry& registry = detail::registry_for(c);
  const auto demos = detail::demos_of(registry, c.plugin);
  if (demos.empty()) GTEST_SKIP() << "plugin " << c.plugin << " registers no demo";
  detail::WorkDir work(c.plugin);
  for (const auto& demo : demos) {
    DemoCheckOptions options;
    auto it = c.demo_options.find(demo);
    if (it != c.demo_options.end()) options.demo_options = it->second;
    options.epochs = c.epochs;
    options.checks = c.checks;
    check_demo(registry, demo, work.path() / demo, options);
  }
}

// Every block, transform and model the plugin registers appears in a checked recipe or block case.
inline void run_coverage_check(const Conformance& c) {
  ASSERT_TRUE(plugin_loaded(c.plugin_paths, c.plugin));
  const Registry& registry = detail::registry_for(c);
  std::set<std::string> used;
  auto no_data = [](const std::string& demo) { return std::filesystem::path("/nonexistent") / demo; };
  for (const auto& [label, recipe] : detail::conformance_recipes(registry, c, no_data))
    for (const auto& component : recipe_components(recipe)) used.insert(component.spec.value("name", std::string()));
  for (const auto& block : c.blocks) used.insert(block.spec.value("name", std::string()));
  for (const auto& info : registry.components_of_plugin(c.plugin)) {
    if (info.kind != Kind::block && info.kind != Kind::transform && info.kind != Kind::model) continue;
    EXPECT_TRUE(used.count(info.name))
        << to_string(info.kind) << " " << info.name
        << " is not exercised by the conformance checks: no demo recipe uses it; add a RecipeVariant (a demo's "
           "recipe using it) or a BlockCase to the Conformance";
  }
}

}  // namespace adapt::testing

#define ADAPT_CONFORMANCE_SUITE(suite, ...)                                             \
  static ::adapt::testing::Conformance suite##_conformance() { return __VA_ARGS__; }   \
  TEST(suite, Options) { ::adapt::testing::run_options_check(suite##_conformance()); } \
  TEST(suite, Components) { ::adapt::testing::run_component_checks(suite##_conformance()); } \
  TEST(suite, Demo) { ::adapt::testing::run_demo_checks(suite##_conformance()); }       \
  TEST(suite, Coverage) { ::adapt::testing::run_coverage_check(suite##_conformance()); }
