// register_core_components: everything the core itself provides (data components, training
// components, the generic MLP and the core demo).
#include "components/core_components.h"

#include "adapt/model/ensemble_model.h"
#include "adapt/model/mlp_model.h"
#include "adapt/model/parameter_budget.h"
#include "adapt/plugin/registry.h"

namespace adapt {

std::shared_ptr<Demo> make_core_demo(const Options& options);  // core_demo.cpp
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
                       check_parameter_budget(parameters::mlp(static_cast<double>(opts.in_features), opts.layers,
                                                              static_cast<double>(opts.out_features)),
                                              o, "layers");
                       opts.dropout = o.number("dropout");
                       opts.batchnorm = o.boolean("batchnorm");
                       opts.y_range = target_y_range(ctx);
                       return std::make_shared<MlpModel>(opts);
                     });
}

void register_core_ensemble(Registry& registry) {
  OptionSchema schema{
      OptionSpec("members", OptionType::integer, 3, "copies of `model`, each with its own initialisation").min(2).max(64),
      OptionSpec("model", OptionType::object, nullptr, "the members' spec, e.g. {\"name\": \"core.mlp\"}"),
      OptionSpec("models", OptionType::any, nullptr, "instead of members x model: a list of 2 or more specs (mixed models)"),
  };
  registry.add_model(
      "core.ensemble", "independently trained models (each on its own loss), averaged at evaluation and prediction",
      std::move(schema), [](const Options& o, const ModelContext& ctx) -> std::shared_ptr<Model> {
        if (ctx.registry == nullptr) throw Error("core.ensemble: built outside Registry::model, so it cannot build members");
        std::vector<std::shared_ptr<Model>> members;  // each draws its own initialisation
        if (o.has("models")) {
          const json& specs = o.raw("models");
          if (o.has("model")) throw o.error("models", "give either `models` or `model` (with `members`), not both");
          if (!specs.is_array() || specs.size() < 2) throw o.error("models", "must be a list of at least 2 model specs");
          for (size_t k = 0; k < specs.size(); ++k)
            members.push_back(ctx.registry->model(specs[k], "model.models[" + std::to_string(k) + "]", ctx));
        } else {
          if (!o.has("model")) throw o.error("model", "is required (or `models`): the members' spec");
          for (int64_t k = 0; k < o.integer("members"); ++k)
            members.push_back(ctx.registry->model(o.raw("model"), "model.model", ctx));
        }
        return std::make_shared<EnsembleModel>(std::move(members));
      });
}

}  // namespace

std::vector<double> target_y_range(const ModelContext& ctx) {
  if (!ctx.blocks.target().block) return {};
  json dims = ctx.blocks.target().block->dims();
  if (dims.contains("y_range") && dims["y_range"].is_array() && dims["y_range"].size() == 2)
    return dims["y_range"].get<std::vector<double>>();
  return {};
}

void register_core_components(Registry& registry) {
  register_core_data(registry);
  register_core_training(registry);
  register_core_mlp(registry);
  register_core_ensemble(registry);
  register_core_fusion(registry);
  register_fusion_demo(registry);
  registry.add_demo("core.demo", "synthetic numeric CSV: 3 classes from 6 features (core blocks + core.mlp)",
                    core_demo_schema(), make_core_demo);
}

}  // namespace adapt
