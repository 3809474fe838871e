// validate_recipe: checks every section and option before anything runs; each error starts with its
// JSON path (docs/recipes.md).
#include <set>

#include "adapt/data/data_loader.h"
#include "adapt/inspect/inspect_input.h"
#include "adapt/recipe/recipe.h"

namespace adapt {
namespace {

const std::set<std::string> kSections = {"seed",    "reader",  "splitter", "inputs",    "target",
                                         "transforms", "loader", "model",   "loss",      "metrics",
                                         "train",   "baselines", "reports", "interpret", "description",
                                         "primary_metric", "slices", "sanity", "inspect",
                                         "out_of_domain"};

std::string known_sections() {
  std::string out;
  for (const auto& s : kSections) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void require_object(const json& recipe, const char* section, bool required) {
  if (!recipe.contains(section)) {
    if (required) throw OptionError(std::string(section) + ": missing; the recipe must give this section (docs/recipes.md)");
    return;
  }
  const json& v = recipe[section];
  bool ok = v.is_object() || (v.is_string() && std::string(section) != "train");
  if (!ok) throw OptionError(std::string(section) + ": must be an object {\"name\": ..., options}, got " + v.dump());
  if (v.is_object() && std::string(section) != "train" && std::string(section) != "loader" &&
      std::string(section) != "interpret" && !v.contains("name"))
    throw OptionError(std::string(section) + ": needs a \"name\" naming a registered component");
}

void require_array(const json& recipe, const char* section, bool required) {
  if (!recipe.contains(section)) {
    if (required) throw OptionError(std::string(section) + ": missing; the recipe must give this list");
    return;
  }
  if (!recipe[section].is_array()) throw OptionError(std::string(section) + ": must be a list, got " + recipe[section].dump());
}

void check_block_keys(const json& recipe) {
  std::set<std::string> keys;
  const auto& inputs = recipe["inputs"];
  if (inputs.empty()) throw OptionError("inputs: give at least one input block");
  auto check = [&](const json& spec, const std::string& path, const std::string& default_key) {
    if (!spec.is_object()) throw OptionError(path + ": must be an object {\"name\": ..., options}, got " + spec.dump());
    if (spec.contains("key") && !spec["key"].is_string()) throw OptionError(path + ".key: must be a string, got " + spec["key"].dump());
    std::string key = spec.value("key", default_key);
    if (key.empty() || key.find('.') != std::string::npos || key == "row")
      throw OptionError(path + ".key: \"" + key + "\" is not allowed: give a non-empty name without '.' other than \"row\"");
    if (!keys.insert(key).second) throw OptionError(path + ".key: \"" + key + "\" is used by another block; keys must be unique");
    if (spec.contains("state_from") && !spec["state_from"].is_string())
      throw OptionError(path + ".state_from: must be the path of an .adapt file, got " + spec["state_from"].dump());
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    check(inputs[i], "inputs[" + std::to_string(i) + "]", i == 0 ? "x" : "x" + std::to_string(i));
  check(recipe["target"], "target", "y");
}

// `holder` is the model spec or a fusion branch; `path` its JSON path.
void check_init_from(const json& holder, const std::string& path) {
  if (!holder.is_object() || !holder.contains("init_from") || holder["init_from"].is_null()) return;
  const json& init = holder["init_from"];
  const std::string at = path + ".init_from";
  if (!init.is_object() || !init.contains("file") || !init["file"].is_string())
    throw OptionError(at + ": must be {\"file\": \"lm.adapt\", \"part\": \"encoder\"}, got " + init.dump());
  for (const auto& [key, value] : init.items()) {
    if (key != "file" && key != "part")
      throw OptionError(at + "." + key + ": unknown key; init_from takes \"file\" and \"part\"");
    if (!value.is_string()) throw OptionError(at + "." + key + ": must be a string, got " + value.dump());
  }
}

}  // namespace

void validate_recipe(const json& recipe, const Registry& registry) {
  if (!recipe.is_object()) throw OptionError("recipe: must be a JSON object with sections, got " + recipe.dump().substr(0, 80));
  for (const auto& item : recipe.items())
    if (!kSections.count(item.key()) && item.key().rfind('_', 0) != 0)
      throw OptionError(item.key() + ": unknown section; known sections are " + known_sections() +
                        " (keys starting with '_' are comments)");
  if (recipe.contains("seed") && (!recipe["seed"].is_number_integer() || recipe["seed"].get<int64_t>() < 0))
    throw OptionError("seed: must be an integer >= 0, got " + recipe["seed"].dump());

  require_object(recipe, "reader", true);
  require_object(recipe, "splitter", false);
  require_array(recipe, "inputs", true);
  require_object(recipe, "target", true);
  require_array(recipe, "transforms", false);
  require_object(recipe, "model", true);
  require_object(recipe, "loss", false);
  require_array(recipe, "metrics", false);
  require_object(recipe, "train", true);
  require_array(recipe, "baselines", false);
  require_array(recipe, "reports", false);
  require_array(recipe, "slices", false);
  for (size_t i = 0; recipe.contains("slices") && i < recipe["slices"].size(); ++i)
    if (!recipe["slices"][i].is_string() || recipe["slices"][i].get<std::string>().empty())
      throw OptionError("slices[" + std::to_string(i) + "]: must be the name of a column of the data, got " +
                        recipe["slices"][i].dump());
  if (recipe.contains("sanity") && !recipe["sanity"].is_boolean())
    throw OptionError("sanity: must be true or false (run adapt sanity after training), got " + recipe["sanity"].dump());
  if (recipe.contains("out_of_domain")) {
    const json& ood = recipe["out_of_domain"];
    if (!(ood.is_boolean() || ood.is_object()))
      throw OptionError("out_of_domain: must be false (no scores) or an object {\"accept_share\": 0.95, "
                        "\"shrinkage\": 0.1}, got " + ood.dump());
    const json options = ood.is_object() ? ood : json::object();
    for (const auto& [key, value] : options.items()) {
      if (key != "accept_share" && key != "shrinkage")
        throw OptionError("out_of_domain." + key + ": unknown option; known: accept_share, shrinkage");
      const bool shrinkage = key == "shrinkage";
      const double x = value.is_number() ? value.get<double>() : -1.0;
      if (shrinkage ? !(x >= 0.0 && x <= 1.0) : !(x >= 0.5 && x < 1.0))
        throw OptionError("out_of_domain." + key + ": must be a number in " + (shrinkage ? "[0, 1]" : "[0.5, 1)") +
                          ", got " + value.dump());
    }
  }
  if (recipe.contains("primary_metric") && !recipe["primary_metric"].is_string())
    throw OptionError("primary_metric: must be the name of one of the run's metrics (\"mcc\"), got " +
                      recipe["primary_metric"].dump());
  check_block_keys(recipe);
  check_init_from(recipe["model"], "model");
  const json branches = fusion_branches(recipe);
  for (const auto& [name, branch] : branches.items()) check_init_from(branch, "model.branches." + name);

  // Every component: name registered, options valid (types, bounds, unknown keys).
  for (const auto& c : recipe_components(recipe)) {
    if (!c.spec.is_object() || !c.spec.contains("name") || !c.spec["name"].is_string())
      throw OptionError(c.path + ": needs a \"name\" naming a registered " + to_string(c.kind));
    registry.options(c.kind, component_options(c.spec), c.path);
  }
  if (recipe.contains("loader")) {
    if (!recipe["loader"].is_object()) throw OptionError("loader: must be an object, got " + recipe["loader"].dump());
    DataLoaderOptions::from_json(recipe["loader"], "loader");
  }
  const TrainPlan plan = parse_train_section(recipe["train"]);
  for (size_t i = 0; i < plan.phases.size(); ++i)
    for (const auto& [name, n] : plan.phases[i].branch_freeze_to.items())
      if (!branches.contains(name))
        throw OptionError("train.phases[" + std::to_string(i) + "].freeze_to." + name +
                          ": per-branch freeze_to names the branches of a core.fusion model, and it has no branch \"" +
                          name + "\"" + (branches.empty() ? std::string(" (the model is not core.fusion)") : ""));
  parse_interpret_section(recipe.value("interpret", json::object()));
  InspectOptions::from_json(recipe.value("inspect", json::object()), 0);
}

}  // namespace adapt
