// Embedding adapt in your own program: a Registry with the core's components, a PluginHost that
// fills it from the default search path, and a block built from JSON, fitted and used.
//
//   adapt_embed_example ['{"name": "core.category", "column": "label"}']
#include <adapt/plugin/plugin_host.h>

#include <iostream>

int main(int argc, char** argv) {
  try {
    adapt::Registry registry;
    adapt::register_core_components(registry);

    adapt::PluginHostOptions options;  // --plugin-path equivalents go in options.plugin_paths
    adapt::PluginHost host(registry, options);
    host.load_all();
    for (const auto& plugin : host.plugins()) {
      std::cout << "plugin " << plugin.name << " " << plugin.version << " (" << plugin.components.size()
                << " components) from " << plugin.file.string() << "\n";
    }
    for (const auto& failure : host.failures()) std::cerr << "not loaded: " << failure.reason << "\n";

    for (const auto& c : registry.components()) std::cout << "  " << adapt::to_string(c.kind) << " " << c.name << "\n";

    // Build a block from a recipe-style JSON object, fit it on "training" rows and encode one.
    adapt::json spec = argc > 1 ? adapt::json::parse(argv[1]) : adapt::json{{"name", "core.category"}, {"column", "label"}};
    auto block = registry.block(spec, "block");
    adapt::Records train({"label"}, "inline");
    for (const char* label : {"cat", "dog", "cat", "bird"}) train.add_row({label}, "inline");
    block->setup(train);
    adapt::EncodeContext ctx;
    ctx.split = adapt::Split::valid;  // not random: no Rng needed
    std::cout << "block " << spec["name"].get<std::string>() << ": dims " << block->dims().dump() << ", row 1 -> "
              << adapt::get(block->encode(train, 1, ctx), "") << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "embed_example: " << e.what() << "\n";
    return 1;
  }
}
