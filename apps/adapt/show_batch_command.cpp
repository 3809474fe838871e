// `adapt show-batch`: a page of training items as the model receives them (adapt/run/show_batch.h).
#include <adapt/common/atomic_file.h>
#include <adapt/plugin/plugin_host.h>
#include <adapt/recipe/recipe.h>
#include <adapt/run/show_batch.h>

#include <iostream>

#include "commands.h"

namespace adapt::cli {

int show_batch(const Global& global, const std::filesystem::path& recipe_file, const std::filesystem::path& out_file,
               int64_t items) {
  json recipe = load_recipe(recipe_file);
  Registry& registry = global_registry();
  report_plugin_problems();
  ShowBatchOptions options;
  options.items = items;
  write_text_atomically(out_file, show_batch_page(recipe, registry, options));
  if (global.json_output)
    std::cout << json{{"page", out_file.string()}}.dump(2) << "\n";
  else
    std::cout << "show-batch: " << out_file.string() << "\n";
  return 0;
}

}  // namespace adapt::cli
