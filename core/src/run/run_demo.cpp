// run_demo: generate a demo's data, train its recipe, compare with the baselines, export, reload the
// export and predict the demo's inputs with it (the whole user journey in one call).
#include <iostream>

#include "adapt/common/atomic_file.h"
#include "adapt/export/export.h"
#include "adapt/recipe/recipe.h"
#include "adapt/run/run_demo.h"

namespace adapt {
namespace {

// "audio" -> the plugin's demo component ("audio.demo", or its only demo); "audio.demo" -> itself.
std::string resolve_demo(const std::string& name, const Registry& registry) {
  if (registry.has(Kind::demo, name)) return name;
  std::vector<std::string> of_plugin, all;
  for (const auto& info : registry.components()) {
    if (info.kind != Kind::demo) continue;
    all.push_back(info.name);
    if (info.plugin == name || info.name.rfind(name + ".", 0) == 0) of_plugin.push_back(info.name);
  }
  if (registry.has(Kind::demo, name + ".demo")) return name + ".demo";
  if (of_plugin.size() == 1) return of_plugin.front();
  // "fusion" -> "core.fusion": a demo named after what it shows rather than its plugin.
  std::vector<std::string> by_last_part;
  for (const auto& d : all)
    if (d.size() > name.size() && d.compare(d.size() - name.size() - 1, name.size() + 1, "." + name) == 0)
      by_last_part.push_back(d);
  if (by_last_part.size() == 1) return by_last_part.front();
  std::string known;
  for (const auto& d : all) known += (known.empty() ? "" : ", ") + d;
  if (of_plugin.size() > 1) {
    std::string list;
    for (const auto& d : of_plugin) list += (list.empty() ? "" : ", ") + d;
    throw OptionError("demo: \"" + name + "\" has several demos (" + list + "); name one of them");
  }
  throw OptionError("demo: no demo named \"" + name + "\"; available: " + (known.empty() ? "none" : known) +
                    " (is the plugin loaded? see `adapt plugins list`)");
}

// RUN_DIR/recipe.json: the demo's recipe to copy and edit, or to run again with `adapt train`. Its data
// paths are relative to the run directory (recipe paths are relative to the recipe's folder), so the
// directory can move; a demo whose recipe names its data some other way gets absolute paths instead.
void write_demo_recipe(const Demo& demo, const json& recipe, const std::filesystem::path& run_dir, std::ostream& out) {
  json portable = demo.recipe("data");
  if (resolve_recipe_paths(portable, std::filesystem::absolute(run_dir)) != recipe) portable = recipe;
  portable["description"] = demo.description() + ". The data in data/ was written by `adapt demo` (seed 42).";
  const auto file = run_dir / "recipe.json";
  write_text_atomically(file, portable.dump(2) + "\n");
  out << "recipe written to " << file.string() << " (run it again with: adapt train " << file.string() << ")\n";
}

}  // namespace

DemoResult run_demo(const std::string& name, const RunOptions& options, const Registry& registry) {
  if (options.out_dir.empty()) throw OptionError("demo: needs an output directory (--out)");
  std::ostream& out = options.out ? *options.out : std::cout;
  const std::string demo_name = resolve_demo(name, registry);
  auto demo = registry.demo(json{{"name", demo_name}}, "demo");
  // Absolute, so run.json's recipe runs from any directory.
  const auto data_dir = std::filesystem::absolute(options.out_dir) / "data";
  std::filesystem::create_directories(data_dir);
  out << "demo " << demo_name << ": " << demo->description() << "\n";
  out << "generating data in " << data_dir.string() << " (seed 42)\n";
  demo->generate(data_dir, 42);
  json recipe = demo->recipe(data_dir);
  write_demo_recipe(*demo, recipe, options.out_dir, out);
  RunOptions run_options = options;
  run_options.write_files = true;
  run_options.overwrite = true;  // a demo regenerates its data and its run every time
  // A demo's settings are fixed in advance, never tuned on its data: it is a final run and scores its
  // test part (the ledger counts each time).
  run_options.final_run = true;
  DemoResult result;
  result.run = train_recipe(recipe, run_options, registry);

  out << "\nreloading " << result.run.model_file.string() << " and predicting:\n";
  Predictor predictor = Predictor::load(result.run.model_file, registry);
  auto inputs = demo->predict_inputs(data_dir);
  result.predictions = predictor.predict_inputs(inputs);
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string shown = inputs[i].size() > 80 ? inputs[i].substr(0, 77) + "..." : inputs[i];
    out << "  " << shown << "\n    -> " << result.predictions[i].dump() << "\n";
  }
  out << std::flush;
  return result;
}

}  // namespace adapt
