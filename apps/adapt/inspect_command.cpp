// `adapt inspect`: a thin wrapper over inspect_recipe. With --json, the "data" line goes to stderr and
// stdout holds only the report.
#include <adapt/plugin/plugin_host.h>
#include <adapt/recipe/recipe.h>
#include <adapt/run/inspect_recipe.h>

#include <iostream>

#include "commands.h"

namespace adapt::cli {

int inspect(const Global& global, const std::filesystem::path& recipe_file, const std::filesystem::path& out_dir,
            bool label_issues) {
  json recipe = load_recipe(recipe_file);
  Registry& registry = global_registry();
  report_plugin_problems();
  InspectRunOptions options;
  options.out_dir = out_dir;
  options.out = global.json_output ? &std::cerr : &std::cout;
  options.label_issues = label_issues;
  const InspectResult result = inspect_recipe(recipe, options, registry);
  if (global.json_output) {
    std::cout << result.report.to_json().dump(2) << "\n";
  } else {
    print_inspect_report(result.report, std::cout);
    if (!out_dir.empty()) std::cout << "files: " << out_dir.string() << "/inspect.json and CSVs\n";
  }
  return 0;
}

}  // namespace adapt::cli
