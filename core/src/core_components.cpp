// register_core_components: everything the core itself provides (data components, training
// components, the generic MLP and the core demo).
#include "core_components.h"

#include "adapt/mlp_model.h"
#include "adapt/registry.h"

namespace adapt {

std::shared_ptr<Demo> make_core_demo(const Options& options);  // demo.cpp
OptionSchema core_demo_schema();

namespace {

void register_core_mlp(Registry& registry) {
  OptionSchema schema{
      OptionSpec("layers", OptionType::integer_list, json::array({200, 100}), "hidden layer widths").greater_than(0),
      OptionSpec("dropout", OptionType::number, 0.0, "dropout after each hidden layer").min(0).max(0.99),
      OptionSpec("batchnorm", OptionType::boolean, true, "BatchNorm1d after each hidden activation"),
      OptionSpec("input", OptionType::string, "x", "batch key of the float input (flattened)"),
  };
  registry.add_model("core.mlp", "multi-layer perceptron over a fixed-width float input (e.g. core.regression)",
                     std::move(schema), [](const Options& o, const ModelContext& ctx) -> std::shared_ptr<Model> {
                       MlpOptions opts;
                       opts.input = o.string("input");
                       opts.in_features = input_width(ctx, opts.input);
                       opts.out_features = ctx.n_outputs;
                       opts.layers = o.integers("layers");
                       opts.dropout = o.number("dropout");
                       opts.batchnorm = o.boolean("batchnorm");
                       if (ctx.blocks.target().block) {
                         json dims = ctx.blocks.target().block->dims();
                         if (dims.contains("y_range") && dims["y_range"].is_array() && dims["y_range"].size() == 2)
                           opts.y_range = dims["y_range"].get<std::vector<double>>();
                       }
                       return std::make_shared<MlpModel>(opts);
                     });
}

}  // namespace

void register_core_components(Registry& registry) {
  register_core_data(registry);
  register_core_training(registry);
  register_core_mlp(registry);
  registry.add_demo("core.demo", "synthetic numeric CSV: 3 classes from 6 features (core blocks + core.mlp)",
                    core_demo_schema(), make_core_demo);
}

}  // namespace adapt
