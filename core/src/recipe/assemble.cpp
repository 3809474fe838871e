// Assembly helpers shared by train_recipe and Predictor::load: they turn recipe sections into
// components through the registry, so training and loading build exactly the same things.
#include <fstream>
#include <sstream>

#include "adapt/data/data_blocks.h"
#include "adapt/metrics/metrics.h"
#include "adapt/recipe/recipe.h"
#include "adapt/train/checkpoint.h"
#include "common/unreadable.h"

namespace adapt {
namespace {

json as_spec(const json& entry) {
  if (entry.is_string()) return json{{"name", entry}};
  return entry;
}

void add_list(std::vector<RecipeComponent>& out, const json& recipe, const char* section, Kind kind) {
  if (!recipe.contains(section) || !recipe[section].is_array()) return;
  const auto& list = recipe[section];
  for (size_t i = 0; i < list.size(); ++i)
    out.push_back({kind, as_spec(list[i]), std::string(section) + "[" + std::to_string(i) + "]"});
}

// core.fusion's branch encoders are models of their own, and their baselines baselines (validated,
// and their plugins recorded).
void add_branch_components(std::vector<RecipeComponent>& out, const json& recipe) {
  const json branches = fusion_branches(recipe);
  for (const auto& [name, branch] : branches.items()) {
    if (!branch.is_object()) continue;
    if (branch.contains("encoder"))
      out.push_back({Kind::model, as_spec(branch["encoder"]), "model.branches." + name + ".encoder"});
    if (branch.contains("baseline"))
      out.push_back({Kind::baseline, as_spec(branch["baseline"]), "model.branches." + name + ".baseline"});
  }
}

// Copies weights from an export (init_from {"file", "part"}) into `model` or its named part.
void load_init_from(Model& model, const json& init, const std::string& path) {
  std::string file = init.value("file", ""), part = init.value("part", "");
  auto target_part = part.empty() ? std::shared_ptr<torch::nn::Module>() : model.part(part);
  if (!part.empty() && !target_part)
    throw OptionError(path + ".part: the model \"" + model.name() + "\" has no part named \"" + part + "\"");
  torch::serialize::InputArchive archive, weights;
  load_archive(archive, file, path + ".file");
  archive.read("model", weights);
  if (part.empty()) {
    read_module_state(weights, model, path + ".file " + file);
    return;
  }
  // The export holds the whole source model's weights under their dotted names; read the part's.
  torch::serialize::InputArchive part_weights;
  if (!weights.try_read(part, part_weights))
    throw OptionError(path + ": " + file + " has no part \"" + part + "\" in its weights");
  read_module_state(part_weights, *target_part, path + " " + file + " part " + part);
}

}  // namespace

json fusion_branches(const json& recipe) {
  if (!recipe.contains("model") || !recipe["model"].is_object()) return json::object();
  const json& branches = recipe["model"].value("branches", json());
  return branches.is_object() ? branches : json::object();
}

std::vector<RecipeComponent> recipe_components(const json& recipe) {
  std::vector<RecipeComponent> out;
  auto one = [&](const char* section, Kind kind) {
    if (recipe.contains(section) && !recipe[section].is_null()) out.push_back({kind, as_spec(recipe[section]), section});
  };
  one("reader", Kind::reader);
  one("splitter", Kind::splitter);
  add_list(out, recipe, "inputs", Kind::block);
  one("target", Kind::block);
  add_list(out, recipe, "transforms", Kind::transform);
  one("model", Kind::model);
  add_branch_components(out, recipe);
  one("loss", Kind::loss);
  add_list(out, recipe, "metrics", Kind::metric);
  add_list(out, recipe, "baselines", Kind::baseline);
  add_list(out, recipe, "reports", Kind::report);
  return out;
}

json component_options(const json& spec) {
  json out = as_spec(spec);
  if (out.is_object())
    for (const char* reserved : {"key", "state_from", "init_from"}) out.erase(reserved);
  return out;
}

std::shared_ptr<DataBlocks> build_blocks(const json& recipe, const Registry& registry) {
  std::vector<BoundBlock> inputs;
  const json& list = recipe.at("inputs");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = "inputs[" + std::to_string(i) + "]";
    std::string key = list[i].value("key", i == 0 ? std::string("x") : "x" + std::to_string(i));
    inputs.push_back({key, registry.block(component_options(list[i]), path)});
  }
  BoundBlock target{recipe.at("target").value("key", std::string("y")), registry.block(component_options(recipe.at("target")), "target")};
  if (target.block->loss().empty())
    throw OptionError("target: the block \"" + recipe["target"].value("name", std::string()) +
                      "\" cannot be a target (it names no loss); use e.g. core.category or core.regression");
  return std::make_shared<DataBlocks>(std::move(inputs), std::move(target));
}

std::vector<std::shared_ptr<const Transform>> build_transforms(const json& recipe, const Registry& registry,
                                                               const DataBlocks& blocks, bool deterministic_only) {
  std::vector<std::shared_ptr<const Transform>> out;
  if (!recipe.contains("transforms") || !recipe["transforms"].is_array()) return out;
  const auto& list = recipe["transforms"];
  for (size_t i = 0; i < list.size(); ++i) {
    auto t = registry.transform(component_options(list[i]), "transforms[" + std::to_string(i) + "]");
    if (deterministic_only && !t->on_valid()) continue;
    t->setup(blocks);
    out.push_back(std::move(t));
  }
  return out;
}

std::shared_ptr<Model> build_model(const json& recipe, const Registry& registry, const DataBlocks& blocks,
                                   bool apply_init_from) {
  const json& spec = recipe.at("model");
  if (!blocks.target().block) throw OptionError("target: a model needs a target block to size its output");
  ModelContext ctx{blocks, blocks.target().block->n_outputs()};
  auto model = registry.model(component_options(spec), "model", ctx);
  if (!model) throw OptionError("model: the factory of \"" + spec.value("name", std::string()) + "\" returned no model");
  if (!apply_init_from) return model;
  if (spec.contains("init_from") && !spec["init_from"].is_null()) load_init_from(*model, spec["init_from"], "model.init_from");
  const json branches = fusion_branches(recipe);
  for (const auto& [name, branch] : branches.items()) {
    if (!branch.contains("init_from") || branch["init_from"].is_null()) continue;
    auto encoder = std::dynamic_pointer_cast<Model>(model->part(name));
    if (!encoder) throw OptionError("model.branches." + name + ": the model has no branch of that name");
    load_init_from(*encoder, branch["init_from"], "model.branches." + name + ".init_from");
  }
  return model;
}

std::vector<std::shared_ptr<Metric>> build_metrics(const json& recipe, const Registry& registry, const Block& target) {
  std::vector<std::shared_ptr<Metric>> out;
  if (recipe.contains("metrics") && recipe["metrics"].is_array() && !recipe["metrics"].empty()) {
    const auto& list = recipe["metrics"];
    for (size_t i = 0; i < list.size(); ++i)
      out.push_back(registry.metric(as_spec(list[i]), "metrics[" + std::to_string(i) + "]"));
  } else {
    out = default_metrics(target);
  }
  // A standardised target: metrics in its units report the column's own (RMSE in stars).
  const json dims = target.dims();
  if (dims.is_object() && dims.contains("output_scale"))
    for (auto& m : out) m->set_output_scale(dims["output_scale"].get<std::vector<double>>());
  return out;
}

json load_recipe(const std::filesystem::path& file) {
  if (const std::string why = detail::unreadable(file); !why.empty())
    throw OptionError("recipe " + file.string() + ": " + why);
  std::ifstream in(file);
  if (!in) throw OptionError("recipe " + file.string() + ": cannot be opened (does it exist?)");
  json recipe;
  try {
    // Comments (// and /* */) are allowed: the recipes in recipes/ explain their choices in place.
    recipe = json::parse(in, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {
    // A syntax error names its line and column; a number beyond double's range (1e999) names the number.
    throw OptionError("recipe " + file.string() + ": not valid JSON: " + e.what());
  }
  // A run's record (RUN/run.json) holds the recipe it ran with every default filled in and absolute
  // paths: `adapt train RUN/run.json` runs it again.
  if (recipe.is_object() && recipe.contains("versions") && recipe.contains("recipe") && recipe["recipe"].is_object())
    recipe = json(recipe["recipe"]);
  auto base = std::filesystem::absolute(file).parent_path();
  return resolve_recipe_paths(std::move(recipe), base);
}

json resolve_recipe_paths(json recipe, const std::filesystem::path& base_dir) {
  if (!recipe.is_object()) return recipe;
  auto is_path_key = [](const std::string& key) {
    auto ends = [&](const std::string& suffix) {
      return key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return key == "path" || key == "file" || key == "dir" || key == "root" || ends("_path") || ends("_file") ||
           ends("_dir") || ends("_files") || key == "files";
  };
  auto resolve = [&](json& value) {
    if (value.is_string()) {
      std::filesystem::path p = value.get<std::string>();
      if (!p.empty() && p.is_relative()) value = (base_dir / p).lexically_normal().string();
    }
  };
  auto resolve_object = [&](json& spec) {
    if (!spec.is_object()) return;
    for (auto& [key, value] : spec.items()) {
      if (!is_path_key(key)) continue;
      if (value.is_array())
        for (auto& v : value) resolve(v);
      else
        resolve(value);
    }
  };
  for (const char* section : {"reader", "splitter"})
    if (recipe.contains(section)) resolve_object(recipe[section]);
  if (recipe.contains("reader") && recipe["reader"].is_object() && recipe["reader"].contains("join"))
    resolve_object(recipe["reader"]["join"]);
  for (const char* section : {"inputs"})
    if (recipe.contains(section) && recipe[section].is_array())
      for (auto& spec : recipe[section])
        if (spec.is_object() && spec.contains("state_from")) resolve(spec["state_from"]);
  if (recipe.contains("target") && recipe["target"].is_object() && recipe["target"].contains("state_from"))
    resolve(recipe["target"]["state_from"]);
  if (recipe.contains("model") && recipe["model"].is_object() && recipe["model"].contains("init_from") &&
      recipe["model"]["init_from"].is_object() && recipe["model"]["init_from"].contains("file"))
    resolve(recipe["model"]["init_from"]["file"]);
  if (recipe.contains("model") && recipe["model"].is_object() && recipe["model"].contains("branches") &&
      recipe["model"]["branches"].is_object())
    for (auto& [name, branch] : recipe["model"]["branches"].items())
      if (branch.is_object() && branch.contains("init_from") && branch["init_from"].is_object() &&
          branch["init_from"].contains("file"))
        resolve(branch["init_from"]["file"]);
  return recipe;
}

json fill_recipe_defaults(const json& recipe, const Registry& registry) {
  json out = recipe;
  auto filled = [&](Kind kind, const json& spec, const std::string& path) {
    json full = as_spec(spec);
    json values = registry.options(kind, full, path).values();
    values["name"] = full.at("name");
    // Keys the core reads itself: a block's key and state_from, a model's init_from, and the split
    // files of a reader that does not read them itself.
    for (const char* reserved : {"key", "state_from", "init_from", "test_path", "valid_path", "split_column"})
      if (full.is_object() && full.contains(reserved) && !values.contains(reserved)) values[reserved] = full[reserved];
    return values;
  };
  for (const char* section : {"reader", "splitter", "target", "model", "loss"})
    if (out.contains(section) && !out[section].is_null()) {
      Kind kind = std::string(section) == "reader"     ? Kind::reader
                  : std::string(section) == "splitter" ? Kind::splitter
                  : std::string(section) == "model"    ? Kind::model
                  : std::string(section) == "loss"     ? Kind::loss
                                                       : Kind::block;
      out[section] = filled(kind, out[section], section);
    }
  std::pair<const char*, Kind> lists[] = {{"inputs", Kind::block},         {"transforms", Kind::transform},
                                          {"metrics", Kind::metric},       {"baselines", Kind::baseline},
                                          {"reports", Kind::report}};
  for (const auto& [section, kind] : lists)
    if (out.contains(section) && out[section].is_array())
      for (size_t i = 0; i < out[section].size(); ++i)
        out[section][i] = filled(kind, out[section][i], std::string(section) + "[" + std::to_string(i) + "]");
  return out;
}

}  // namespace adapt
