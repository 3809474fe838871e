// `adapt demo`, `adapt train`, `adapt sanity`, `adapt evaluate`, `adapt drift` and `adapt report`: thin
// wrappers over run_demo, train_recipe, sanity_check, evaluate_model, detect_drift and write_html_report
// (`adapt predict` is predict_command.cpp). With --json, progress goes to stderr so stdout holds only the
// JSON result.
#include <adapt/distributed/distributed.h>
#include <adapt/export/detect_drift.h>
#include <adapt/export/evaluate_model.h>
#include <adapt/export/read_new_data.h>
#include <adapt/export/export.h>
#include <adapt/plugin/plugin_host.h>
#include <adapt/recipe/recipe.h>
#include <adapt/run/html_report.h>
#include <adapt/run/dry_run.h>
#include <adapt/run/run_demo.h>
#include <adapt/run/sanity.h>
#include <adapt/train/interrupt.h>

#include <iostream>

#include "commands.h"

namespace adapt::cli {

// Plugin problems matter before a run (a recipe may need the plugin that failed): say so on stderr.
void report_plugin_problems() {
  const PluginHost& host = global_plugin_host();
  for (const auto& w : host.warnings()) std::cerr << "adapt: warning: " << w << "\n";
  for (const auto& f : host.failures()) std::cerr << "adapt: warning: plugin not loaded: " << f.reason << "\n";
}

const std::string& record_label(const Records& records, const std::vector<std::string>& inputs, size_t i,
                                std::string& numbered) {
  if (records.has_column("id")) return records.at(i, "id");
  if (records.size() == inputs.size()) return inputs[i];
  if (!records.origin(i).empty()) return records.origin(i);  // a file's row: file:line
  return numbered = "record " + std::to_string(i + 1);
}

namespace {

RunOptions run_options(const Global& global, const std::filesystem::path& out_dir) {
  RunOptions options;
  options.out_dir = out_dir;
  options.out = global.json_output ? &std::cerr : &std::cout;
  options.progress = !global.json_output;
  return options;
}

json run_json(const RunResult& run) {
  return {{"metrics", run.metrics},
          {"primary_metric", run.primary_metric},
          {"test_part", run.test_part},
          {"baselines", run.baselines},
          {"reports", run.reports},
          {"model_file", run.model_file.empty() ? json(nullptr) : json(run.model_file.string())}};
}

// `adapt train --dry-run`: the recipe checked as a run checks it first (said before the data is read,
// which may be missing here), then the data read and the model built as a run would, and its summary.
int check_recipe(const Global& global, const std::filesystem::path& file, const json& recipe, Registry& registry) {
  report_plugin_problems();
  validate_recipe(recipe, registry);
  std::ostream& log = global.json_output ? std::cerr : std::cout;
  log << file.string() << ": valid\n";
  for (const auto& c : recipe_components(recipe)) log << "  " << c.path << ": " << c.spec.value("name", "") << "\n";
  RunOptions options;
  options.out = &log;
  const std::string summary = dry_run(recipe, options, registry);
  if (global.json_output)
    std::cout << json{{"recipe", file.string()}, {"valid", true}, {"filled", fill_recipe_defaults(recipe, registry)},
                      {"model_summary", summary}}
                     .dump(2)
              << "\n";
  else
    std::cout << "\n" << summary;
  return 0;
}

}  // namespace

int demo(const Global& global, const std::string& name, const std::filesystem::path& out_dir) {
  Registry& registry = global_registry();
  // Plugins open on first use; the demos to run are found by listing, so open what may hold them.
  if (name == "all") global_plugin_host().load_all();
  else global_plugin_host().load_plugin(name.substr(0, name.find('.')));
  report_plugin_problems();
  std::vector<std::string> demos;
  std::string available;
  for (const auto& c : registry.components()) {
    if (c.kind != Kind::demo) continue;
    available += (available.empty() ? "" : ", ") + c.name;
    // "fusion" also names core.fusion: a demo named after what it shows rather than its plugin.
    const bool by_last_part = c.name.size() > name.size() && c.name.compare(c.name.size() - name.size() - 1,
                                                                             name.size() + 1, "." + name) == 0;
    if (name == "all" || c.name == name || c.plugin == name || by_last_part) demos.push_back(c.name);
  }
  if (demos.empty()) {
    throw Error("no demo matches \"" + name + "\"; available demos: " +
                (available.empty() ? std::string("none (is any plugin loaded? see `adapt plugins list`)") : available));
  }
  json results = json::object();
  int failed = 0;
  for (const auto& demo_name : demos) {
    std::ostream& log = global.json_output ? std::cerr : std::cout;
    log << "== demo " << demo_name << "\n";
    try {
      DemoResult result = run_demo(demo_name, run_options(global, out_dir / demo_name), registry);
      json entry = run_json(result.run);
      entry["predictions"] = result.predictions;
      results[demo_name] = entry;
    } catch (const Error& e) {
      // With "all", one failing demo does not hide the others' results.
      if (demos.size() == 1) throw;
      ++failed;
      results[demo_name] = {{"error", e.what()}};
      std::cerr << "adapt: error: demo " << demo_name << ": " << e.what() << "\n";
    }
  }
  if (global.json_output) std::cout << results.dump(2) << "\n";
  return failed ? 1 : 0;
}

int train(const Global& global, const std::filesystem::path& recipe_file, const std::filesystem::path& out_dir,
          const TrainFlags& flags) {
  json recipe = load_recipe(recipe_file);
  Registry& registry = global_registry();
  if (flags.dry_run) return check_recipe(global, recipe_file, recipe, registry);
  RunOptions options = run_options(global, out_dir);
  options.resume = flags.resume;
  options.resume_or_start = flags.resume_or_start;
  options.overwrite = flags.force;
  options.final_run = flags.final_run;
  options.distributed = DistributedContext::from_env();  // one process unless RANK/WORLD_SIZE are set
  if (options.distributed->is_main()) report_plugin_problems();
  catch_interrupts();
  RunResult result;
  try {
    result = train_recipe(recipe, options, registry);
  } catch (const Interrupted& e) {
    if (options.distributed->is_main())
      std::cerr << "adapt: " << e.what() << "\ncontinue with: adapt train " << recipe_file.string() << " --out "
                << out_dir.string() << " --resume\n";
    return kInterrupted;
  }
  if (!options.distributed->is_main()) return 0;  // rank 0 reports for the group
  if (global.json_output) {
    std::cout << run_json(result).dump(2) << "\n";
  } else {
    std::cout << "metrics: " << result.metrics.dump() << "\n";
    if (!result.baselines.empty()) std::cout << "baselines: " << result.baselines.dump() << "\n";
    if (!result.model_file.empty()) std::cout << "model: " << result.model_file.string() << "\n";
  }
  return 0;
}

int evaluate(const Global& global, const std::filesystem::path& model_file, const std::filesystem::path& data,
             const std::filesystem::path& out_dir, const std::vector<std::string>& slices) {
  Registry& registry = global_registry();
  report_plugin_problems();
  const Predictor predictor = Predictor::load(model_file, registry);
  EvaluateOptions options;
  options.out_dir = out_dir;
  options.slices = slices;
  options.out = global.json_output ? &std::cerr : &std::cout;
  const json result = evaluate_model(predictor, data, registry, options);
  if (global.json_output) std::cout << result.dump(2) << "\n";
  return 0;
}

int drift(const Global& global, const std::filesystem::path& model_file, const std::filesystem::path& data,
          const std::filesystem::path& out_dir, uint64_t seed) {
  Registry& registry = global_registry();
  report_plugin_problems();
  const Predictor predictor = Predictor::load(model_file, registry);
  DetectDriftOptions options;
  options.out_dir = out_dir;
  options.tests.seed = seed;
  options.out = global.json_output ? &std::cerr : &std::cout;
  const json result = detect_drift(predictor, read_new_data(predictor, data, registry, "drift"), options);
  if (global.json_output) std::cout << result.dump(2) << "\n";
  return result["drift"].get<bool>() ? kDriftExitCode : 0;
}

int report(const Global& global, const std::filesystem::path& run_dir) {
  const std::filesystem::path file = write_html_report(run_dir);
  if (global.json_output)
    std::cout << json{{"report", file.string()}}.dump(2) << "\n";
  else
    std::cout << "wrote " << file.string() << "\n";
  return 0;
}

int sanity(const Global& global, const std::filesystem::path& recipe_file, int64_t max_epochs) {
  json recipe = load_recipe(recipe_file);
  report_plugin_problems();
  SanityOptions options;
  options.max_epochs = max_epochs;
  options.out = global.json_output ? &std::cerr : &std::cout;
  const json result = sanity_check(recipe, global_registry(), options);
  if (global.json_output) std::cout << result.dump(2) << "\n";
  return result["passed"].get<bool>() ? 0 : 1;
}

}  // namespace adapt::cli
