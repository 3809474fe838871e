// core.fusion (adapt/model/fusion_model.h) and core.modality_dropout (adapt/data/modality_dropout.h).
#include <set>

#include "adapt/data/data_blocks.h"
#include "adapt/data/modality_dropout.h"
#include "adapt/model/fusion_model.h"
#include "adapt/model/parameter_budget.h"
#include "components/core_components.h"

namespace adapt {
namespace {

const std::set<std::string> kBranchKeys = {"encoder", "lr_mult", "freeze", "init_from", "baseline"};

// One entry of "branches": {"encoder": spec, "lr_mult": 1, "freeze": false, "init_from": {...},
// "baseline": spec}. The baseline is the run's business (the stacked baseline), not the model's.
FusionBranch make_branch(const std::string& name, const json& spec, const std::string& path, const ModelContext& ctx) {
  if (!spec.is_object() || !spec.contains("encoder") || !spec["encoder"].is_object())
    throw OptionError(path + ": give {\"encoder\": {\"name\": ..., \"input\": KEY}} (and optionally lr_mult, freeze, "
                      "init_from, baseline), got " + spec.dump());
  for (const auto& [key, value] : spec.items())
    if (!kBranchKeys.count(key))
      throw OptionError(path + "." + key + ": unknown key; a branch takes encoder, lr_mult, freeze, init_from and baseline");
  FusionBranch branch;
  branch.name = name;
  const json& encoder = spec["encoder"];
  branch.input = encoder.value("input", std::string("x"));
  if (!encoder.value("input", json("x")).is_string()) throw OptionError(path + ".encoder.input: must be a batch key");
  bool known = false;
  std::string keys;
  for (const auto& bound : ctx.blocks.inputs()) known |= bound.key == branch.input, keys += " " + bound.key;
  if (!known)
    throw OptionError(path + ".encoder.input: no input block has the key \"" + branch.input + "\" (the inputs are:" + keys +
                      "); set the block's \"key\" in inputs and name it here");
  branch.lr_mult = spec.value("lr_mult", 1.0);
  if (!spec.value("lr_mult", json(1.0)).is_number() || !(branch.lr_mult >= 0))
    throw OptionError(path + ".lr_mult: must be a number >= 0, got " + spec["lr_mult"].dump());
  if (!spec.value("freeze", json(false)).is_boolean())
    throw OptionError(path + ".freeze: must be true or false, got " + spec["freeze"].dump());
  branch.freeze = spec.value("freeze", false);
  branch.encoder = ctx.registry->model(encoder, path + ".encoder", ctx);
  return branch;
}

std::shared_ptr<Model> make_fusion(const Options& o, const ModelContext& ctx) {
  if (ctx.registry == nullptr) throw Error("core.fusion: built outside Registry::model, so it cannot build branches");
  const json& specs = o.raw("branches");
  if (!specs.is_object() || specs.size() < 2)
    throw o.error("branches", "give at least two named branches, e.g. {\"text\": {\"encoder\": {\"name\": "
                              "\"text.awd_lstm_classifier\", \"input\": \"text\"}}, \"table\": {...}}");
  std::vector<FusionBranch> branches;
  std::map<std::string, std::string> claimed;  // input key -> branch
  for (const auto& [name, spec] : specs.items()) {
    const std::string path = o.path() + ".branches." + name;
    FusionBranch branch = make_branch(name, spec, path, ctx);
    if (auto [it, fresh] = claimed.emplace(branch.input, name); !fresh)
      throw OptionError(path + ".encoder.input: the input \"" + branch.input + "\" is already read by branch \"" +
                        it->second + "\"; each branch reads its own input (bind another block to another key)");
    branches.push_back(std::move(branch));
  }
  FusionOptions options;
  options.combiner.kind = o.string("combiner");
  options.combiner.width = o.integer("width");
  options.combiner.n_heads = o.integer("n_heads");
  options.combiner.n_layers = o.integer("n_layers");
  options.combiner.dropout = o.number("dropout");
  if (options.combiner.kind == "attention" && options.combiner.width % options.combiner.n_heads != 0)
    throw o.error("n_heads", "must divide width (" + std::to_string(options.combiner.width) + ")");
  options.head = o.integers("head");
  options.dropout = o.number("dropout");
  options.y_range = o.numbers("y_range");
  if (options.y_range.empty()) options.y_range = target_y_range(ctx);
  if (!options.y_range.empty() && (options.y_range.size() != 2 || !(options.y_range[0] < options.y_range[1])))
    throw o.error("y_range", "give [low, high] with low < high, e.g. [0, 5.5] for 0.5-5 star ratings");
  // The branches checked their own sizes; this is the combiner's (projections, attention) and the head's.
  const bool concat = options.combiner.kind == "concat";
  double own = 0, width = concat ? 0 : static_cast<double>(options.combiner.width);
  for (const auto& branch : branches) {
    const double d = static_cast<double>(branch.encoder->embedding_width());
    if (concat) width += d;
    else own += parameters::linear(d, width);
  }
  if (options.combiner.kind == "attention")
    own += static_cast<double>(options.combiner.n_layers) * parameters::transformer_layer(width, 2 * width);
  check_parameter_budget(own + parameters::mlp(width, options.head, static_cast<double>(ctx.n_outputs)), o, "width");
  return std::make_shared<FusionModel>(std::move(branches), options, ctx.n_outputs);
}

}  // namespace

void register_core_fusion(Registry& registry) {
  OptionSchema schema{
      OptionSpec("branches", OptionType::object, nullptr,
                 "name -> {\"encoder\": model spec reading its own input key, \"lr_mult\", \"freeze\", \"init_from\", "
                 "\"baseline\": the branch's own baseline, stacked into a late-fusion baseline}"),
      OptionSpec("combiner", OptionType::string, "concat", "how branch embeddings merge")
          .choices({"concat", "gated", "attention"}),
      OptionSpec("width", OptionType::integer, 128, "gated and attention: common width of the branches").min(2),
      OptionSpec("n_heads", OptionType::integer, 4, "attention: heads").min(1),
      OptionSpec("n_layers", OptionType::integer, 1, "attention: Transformer layers over the modality tokens").min(1).max(8),
      OptionSpec("head", OptionType::integer_list, json::array({128}), "hidden widths of the head").greater_than(0),
      OptionSpec("dropout", OptionType::number, 0.1, "dropout in the head and the attention combiner").min(0).max(0.9),
      OptionSpec("y_range", OptionType::number_list, json::array(),
                 "regression: squash the output into [low, high] (empty: the target's y_range, if any)"),
      OptionSpec("stack_folds", OptionType::integer, 5,
                 "folds of the out-of-fold predictions the stacked baseline learns from (when branches name baselines)")
          .min(2).max(20),
      OptionSpec("ablate", OptionType::boolean, false,
                 "the run also trains each branch alone (same data, split, training) and reports it as a row"),
  };
  registry.add_model("core.fusion",
                     "one model over several inputs: an encoder per branch (any plugin), a combiner, an MLP head",
                     std::move(schema), make_fusion);
  registry.add_transform(
      "core.modality_dropout", "marks random inputs of training rows missing, so core.fusion learns to do without",
      {OptionSpec("p", OptionType::number, 0.1, "probability per input and row").min(0).max(0.99),
       OptionSpec("keys", OptionType::string_list, json::array(), "input keys to drop; empty: every input")},
      [](const Options& o) { return std::make_shared<ModalityDropout>(o.number("p"), o.strings("keys")); });
}

}  // namespace adapt
