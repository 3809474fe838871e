// A complete host embedding adapt: load the plugins, train from a recipe file, load the export and
// predict. It builds in the tree and, unchanged, against an install (see CMakeLists.txt).
//
//   adapt_embed_example RECIPE.json RUN_DIR [INPUT...]
//
// trains RECIPE.json into RUN_DIR (model.adapt, run.json, ...), reloads RUN_DIR/model.adapt as a
// serving host would, and prints one prediction per INPUT (raw inputs as the recipe's reader takes
// them: CSV rows, texts, file paths). Plugins are searched as `adapt` searches them (ADAPT_PLUGIN_PATH,
// the install, the build tree).
#include <adapt/common/memory.h>
#include <adapt/export/export.h>
#include <adapt/plugin/plugin_host.h>
#include <adapt/recipe/recipe.h>
#include <adapt/run/train_recipe.h>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // a host's choice (adapt/common/memory.h); the adapt program makes it
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " RECIPE.json RUN_DIR [INPUT...]\n";
    return 2;
  }
  try {
    // The registry with the core's components; plugins open on first use of one of their components.
    adapt::Registry& registry = adapt::global_registry();
    for (const auto& failure : adapt::global_plugin_host().failures())
      std::cerr << "not loaded: " << failure.reason << "\n";

    adapt::RunOptions options;
    options.out_dir = argv[2];
    options.progress = false;
    options.overwrite = true;  // an example run may be repeated into the same directory
    adapt::RunResult run = adapt::train_recipe(adapt::load_recipe(argv[1]), options, registry);
    std::cout << "metrics: " << run.metrics.dump() << "\n";
    if (!run.baselines.empty()) std::cout << "baselines: " << run.baselines.dump() << "\n";

    // What a serving host does: load the export, then predict from raw inputs.
    adapt::Predictor predictor = adapt::Predictor::load(run.model_file, registry);
    const std::vector<std::string> inputs(argv + 3, argv + argc);
    if (!inputs.empty()) {
      const std::vector<adapt::json> predictions = predictor.predict_inputs(inputs);
      for (size_t i = 0; i < predictions.size(); ++i)
        std::cout << (i < inputs.size() ? inputs[i] : "record " + std::to_string(i + 1)) << "\t"
                  << predictions[i].dump() << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "embed_example: " << e.what() << "\n";
    return 1;
  }
}
