// Recipes (core/src/recipe): any file content is loaded, validated against the core's components
// and filled with defaults, or refused with an OptionError (or another adapt::Error) that names the
// JSON path. A json::exception or std::out_of_range escaping is a bug: the user would get no path.
#include "adapt/plugin/registry.h"
#include "adapt/recipe/recipe.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const adapt::Registry registry = [] {
    adapt::Registry r;
    adapt::register_core_components(r);
    return r;
  }();
  const auto file = adapt::fuzz::scratch_file("recipe.json", std::string(reinterpret_cast<const char*>(data), size));
  adapt::fuzz::refuse_cleanly([&] {
    const adapt::json recipe = adapt::load_recipe(file);
    adapt::validate_recipe(recipe, registry);
    adapt::fill_recipe_defaults(recipe, registry);
  });
  return 0;
}
