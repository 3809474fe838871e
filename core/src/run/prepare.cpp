// The stages before training: settle the recipe's defaults, read and split the data, set up the
// blocks, build the loaders, model and learner.
#include <unistd.h>

#include "adapt/common/hash.h"
#include "adapt/export/export.h"
#include "adapt/metrics/metric_name.h"
#include "adapt/model/losses.h"
#include "adapt/run/data_warnings.h"
#include "adapt/run/stages.h"
#include "adapt/train/callbacks.h"

namespace adapt {
namespace {

namespace fs = std::filesystem;

bool schema_has(const Registry& registry, Kind kind, const std::string& name, const std::string& option) {
  if (!registry.has(kind, name)) return false;
  for (const auto& spec : registry.info(kind, name).options)
    if (spec.name() == option) return true;
  return false;
}

// The seed and a splitter that follows the seed unless given its own. By default: the parts the reader's
// split files say (test_path, valid_path) when it has any, else core.random 80/20.
json settle_seed_and_splitter(json recipe, const Registry& registry) {
  const uint64_t seed = recipe.value("seed", uint64_t{42});
  recipe["seed"] = seed;
  const json& reader = recipe["reader"];
  auto names_file = [&](const char* key) {
    return reader.is_object() && reader.contains(key) && reader[key].is_string() &&
           !reader[key].get<std::string>().empty();
  };
  if ((!recipe.contains("splitter") || recipe["splitter"].is_null()) &&
      (names_file("test_path") || names_file("valid_path")))
    recipe["splitter"] = {{"name", "core.by_column"}, {"column", reader.value("split_column", std::string("split"))}};
  if (!recipe.contains("splitter") || recipe["splitter"].is_null())
    recipe["splitter"] = {{"name", "core.random"}, {"valid_pct", 0.2}};
  if (recipe["splitter"].is_string()) recipe["splitter"] = {{"name", recipe["splitter"]}};
  const std::string splitter_name = recipe["splitter"].value("name", "");
  if (!recipe["splitter"].contains("seed") && schema_has(registry, Kind::splitter, splitter_name, "seed"))
    recipe["splitter"]["seed"] = seed;
  return recipe;
}

// A block's state from another run's export (state_from) instead of setting it up on this data.
void load_block_state(const fs::path& file, const std::string& key, Block& block) {
  json manifest = read_manifest(file);
  const json& states = manifest.at("blocks");
  if (!states.contains(key)) {
    std::string keys;
    for (const auto& item : states.items()) keys += (keys.empty() ? "" : ", ") + item.key();
    throw OptionError("state_from: " + file.string() + " has no block with key \"" + key + "\" (it has " + keys + ")");
  }
  block.load_state(states[key]);
}

// A column is named once, in the reader: a block or baseline that does not name its column(s) and
// reads by default the column "sequence" (or ["text"]) takes what the reader's "sequence_column" (or
// "text_columns") names instead.
void carry_reader_columns(json& recipe, const Registry& registry) {
  const json& reader = recipe["reader"];
  if (!reader.is_object()) return;
  auto carry = [&](json& spec, Kind kind) {
    if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string()) return;
    const std::string name = spec["name"];
    if (!registry.has(kind, name)) return;
    for (const auto& option : registry.info(kind, name).options) {
      if ((option.name() != "column" && option.name() != "columns") || spec.contains(option.name())) continue;
      const json& fallback = option.default_value();
      const json first = fallback.is_array() && fallback.size() == 1 ? fallback[0] : fallback;
      if (!first.is_string()) continue;
      for (const std::string suffix : {"_column", "_columns"}) {
        const std::string key = first.get<std::string>() + suffix;
        if (!reader.contains(key) || reader[key] == fallback || reader[key] == first) continue;
        const json& named = reader[key];
        if (named.empty() || named == "") continue;  // "label_column": "" means none
        // A list where the block takes a list, a name where it takes one.
        json value = named;
        if (fallback.is_array() && named.is_string()) value = json::array({named});
        if (fallback.is_string() && named.is_array() && named.size() == 1) value = named[0];
        if (fallback.is_string() != value.is_string()) continue;
        spec[option.name()] = value;
      }
    }
  };
  if (recipe.contains("inputs") && recipe["inputs"].is_array())
    for (size_t i = 0; i < recipe["inputs"].size(); ++i) carry(recipe["inputs"][i], Kind::block);
  if (recipe.contains("target")) carry(recipe["target"], Kind::block);
  if (recipe.contains("splitter")) carry(recipe["splitter"], Kind::splitter);
  if (recipe.contains("baselines") && recipe["baselines"].is_array())
    for (size_t i = 0; i < recipe["baselines"].size(); ++i) carry(recipe["baselines"][i], Kind::baseline);
}

MonitorOptions monitor_options(const json& section) {
  return {section["monitor"].get<std::string>(), section["mode"].get<std::string>(), section["min_delta"].get<double>()};
}

// early_stopping, save_best and checkpoint from the train section.
void add_train_callbacks(RunState& state, RunContext& ctx) {
  const TrainPlan& plan = state.plan;
  Learner& learner = *state.learner;
  if (!plan.early_stopping.is_null())
    learner.add_callback(std::make_shared<EarlyStopping>(monitor_options(plan.early_stopping),
                                                         plan.early_stopping["patience"].get<int64_t>()));
  if (!plan.save_best.is_null()) {
    state.best_file = ctx.dir().empty()
                          ? fs::temp_directory_path() / ("adapt-best-" + std::to_string(::getpid()) + ".pt")
                          : ctx.dir() / "best.pt";
    learner.add_callback(std::make_shared<SaveBest>(state.best_file, monitor_options(plan.save_best)));
  }
  if (!plan.checkpoint.is_null()) {
    if (ctx.dir().empty())
      ctx.out() << "warning: train.checkpoint needs a run directory; no checkpoints are written\n";
    else
      learner.add_callback(std::make_shared<CheckpointCallback>(ctx.dir(), plan.checkpoint["every_epochs"].get<int64_t>(),
                                                                plan.checkpoint["every_minutes"].get<double>()));
  }
}

}  // namespace

RunState resolve_defaults(const json& recipe, const Registry& registry, const RunContext& ctx) {
  validate_recipe(recipe, registry);
  RunState state;
  // Relative paths are read from the working directory: made absolute, the recipe that run.json and the
  // export record runs again from anywhere.
  state.recipe = settle_seed_and_splitter(resolve_recipe_paths(recipe, fs::current_path()), registry);
  carry_reader_columns(state.recipe, registry);  // run.json's filled recipe shows what was carried
  state.seed = state.recipe["seed"].get<uint64_t>();
  state.plan = parse_train_section(state.recipe["train"]);
  state.interpret = parse_interpret_section(state.recipe.value("interpret", json::object()));
  const json loader_json = state.recipe.value("loader", json::object());
  state.loader = DataLoaderOptions::from_json(loader_json, "loader");
  state.loader.seed(state.seed);
  state.train_loader = ctx.train_loader(state.loader);
  state.valid_batch_size = loader_json.contains("valid_batch_size") && loader_json["valid_batch_size"].is_number()
                               ? loader_json["valid_batch_size"].get<int64_t>()
                               : 2 * state.loader.batch_size();
  state.filled = fill_recipe_defaults(state.recipe, registry);
  state.filled["train"] = state.plan.filled;
  state.filled["loader"] = state.loader.to_json();
  state.filled["loader"]["valid_batch_size"] = state.valid_batch_size;
  state.filled["interpret"] = {{"top_losses", state.interpret.top_losses},
                               {"confusion_matrix", state.interpret.confusion_matrix},
                               {"most_confused_min", state.interpret.most_confused_min}};
  json hashed = state.filled;
  hashed["loader"].erase("workers");  // how many threads load data changes no result
  state.recipe_hash = "fnv1a64:" + hex64(fnv1a64(hashed.dump()));
  return state;
}

void read_and_split(RunState& state, const Registry& registry, RunContext& ctx) {
  if (!ctx.dir().empty()) fs::create_directories(ctx.dir());
  torch::manual_seed(state.seed);
  auto reader = registry.reader(component_options(state.recipe["reader"]), "reader");
  state.records = std::make_shared<const Records>(reader->read());
  const Records& records = *state.records;
  if (records.empty()) throw DataError("reader: read no records from " + records.source() + "; check the reader's path");
  auto splitter = registry.splitter(component_options(state.recipe["splitter"]), "splitter");
  state.split = splitter->split(records);
  const SplitIndices& split = state.split;
  if (split.train.empty()) throw DataError("splitter: the training split is empty; check the splitter's options");
  // No validation part is a refit: settings chosen earlier with one, now trained on train+valid and
  // scored on the test part alone (the splitters draw test rows first, so they are the same rows).
  if (split.valid.empty() && split.test.empty())
    throw DataError("splitter: the validation and test splits are both empty, so nothing can be scored; give the "
                    "splitter a valid part (e.g. core.random valid_pct 0.2)");
  if (split.valid.empty() && (!state.plan.early_stopping.is_null() || !state.plan.save_best.is_null()))
    throw OptionError("train: early_stopping and save_best watch the validation split, which is empty; give the "
                      "splitter a valid part or remove them");
  for (size_t i = 0; i < state.recipe.value("slices", json::array()).size(); ++i) {
    const std::string column = state.recipe["slices"][i];
    if (!records.has_column(column)) {
      std::string names;
      for (const auto& n : records.column_names()) names += (names.empty() ? "" : ", ") + n;
      throw OptionError("slices[" + std::to_string(i) + "]: the data has no column \"" + column + "\" (it has " +
                        names + ")");
    }
  }
  state.data_hash = data_hash(records);
  ctx.out() << "data: " << records.size() << " records from " << records.source() << " (" << state.data_hash
            << "); train " << split.train.size() << ", valid " << split.valid.size() << ", test " << split.test.size()
            << "\n";
  // Settings are chosen on valid; the test part stays unseen until the final run scores it once.
  if (!split.valid.empty() && !ctx.final_run()) {
    state.sealed_test = std::move(state.split.test);
    state.split.test.clear();
  }
}

namespace {

// A classification target with one class in the training split has nothing to learn: the loss is 0
// from the start and every metric is degenerate. Said before any training, with what to check.
void refuse_single_class(const Block& target, const json& spec) {
  const auto classes = target.classes();
  if (target.loss() != "cross_entropy" || classes.size() != 1) return;
  throw DataError("target: the training split holds one class only (\"" + classes.front() + "\" in column " +
                  (spec.is_object() && spec.contains("column") ? spec["column"].dump() : std::string("of the target")) +
                  "), so there is nothing to learn. Check the target column, the reader's filter and the split "
                  "(a by-column or time split may have put the other classes elsewhere)");
}

// A block reads a column the data lacks: which options name it, in the block and in the reader.
std::string missing_column(const json& recipe, const std::string& path, const std::string& column,
                           const Records& records) {
  const json& spec = path == "target" ? recipe["target"] : recipe["inputs"][std::stoul(path.substr(7))];
  std::string columns, reader_options;
  for (const auto& name : records.column_names()) columns += (columns.empty() ? "\"" : ", \"") + name + "\"";
  for (const auto& [key, value] : recipe["reader"].items())
    if (key.size() > 7 && (key.rfind("_column") == key.size() - 7 || key.rfind("_columns") == key.size() - 8))
      reader_options += (reader_options.empty() ? "" : ", ") + ("reader." + key + " = " + value.dump());
  const std::string option = spec.contains("columns") ? "columns" : "column";
  return path + " (" + spec.value("name", std::string()) + "): the data from " + records.source() +
         " has no column \"" + column + "\"; its columns are " + columns + ". Set " + path + "." + option +
         " to the column to read" +
         (reader_options.empty() ? std::string()
                                 : ", or name it once in the reader (" + reader_options +
                                       "): blocks and baselines that do not name their column take the reader's") +
         " (docs/recipes.md)";
}

}  // namespace

void setup_blocks(RunState& state, const Registry& registry, RunContext& ctx) {
  state.blocks = build_blocks(state.recipe, registry);
  DataBlocks& blocks = *state.blocks;
  const Records train_records = state.records->subset(state.split.train);
  auto setup = [&](const json& spec, const BoundBlock& bound, const std::string& path) {
    if (spec.is_object() && spec.contains("state_from")) {
      load_block_state(spec["state_from"].get<std::string>(), bound.key, *bound.block);
      return;
    }
    try {
      bound.block->setup(train_records);
    } catch (const DataError&) {
      for (const auto& column : bound.block->columns())
        if (!train_records.has_column(column))
          throw DataError(missing_column(state.recipe, path, column, *state.records));
      throw;
    }
  };
  for (size_t i = 0; i < blocks.inputs().size(); ++i)
    setup(state.recipe["inputs"][i], blocks.inputs()[i], "inputs[" + std::to_string(i) + "]");
  setup(state.recipe["target"], blocks.target(), "target");
  refuse_single_class(*blocks.target().block, state.recipe["target"]);
  // The data checks look at the sealed test rows too: overlap with train is found without scoring them.
  SplitIndices checked = state.split;
  if (!state.sealed_test.empty()) checked.test = state.sealed_test;
  state.warnings = data_warnings(*state.records, checked, blocks,
                                 InspectOptions::from_json(state.recipe.value("inspect", json::object()), state.seed));
  for (const auto& w : state.warnings) ctx.out() << "warning: " << w << "\n";
  state.transforms = build_transforms(state.recipe, registry, blocks, /*deterministic_only=*/false);
}

namespace {

// The run's metrics and its primary metric: the recipe's primary_metric, else MCC (or balanced
// accuracy) when one class holds most training rows, added when the list lacks both; else the first.
void settle_metrics(RunState& state, const Registry& registry) {
  const Block& target = *state.blocks->target().block;
  state.metrics = build_metrics(state.recipe, registry, target);
  auto find = [&](const std::string& name) -> std::shared_ptr<Metric> {
    for (const auto& m : state.metrics)
      if (names_metric(name, *m)) return m;
    return nullptr;
  };
  std::shared_ptr<Metric> primary;
  if (state.recipe.contains("primary_metric")) {
    const std::string wanted = state.recipe["primary_metric"];
    if (!(primary = find(wanted))) {
      std::string names;
      for (const auto& m : state.metrics) names += (names.empty() ? "" : ", ") + m->name();
      throw OptionError("primary_metric: \"" + wanted + "\" is not among the run's metrics (" + names +
                        "); add it to \"metrics\" or name one of these");
    }
  } else if (majority_share(*state.records, state.split.train, *state.blocks) > kImbalancedMajorityShare) {
    if (!(primary = find("mcc")) && !(primary = find("balanced_accuracy"))) {
      state.added_metrics.push_back(json{{"name", "core.mcc"}});
      state.metrics.push_back(primary = registry.metric(state.added_metrics.back(), "metrics (added)"));
    }
  } else if (!state.metrics.empty()) {
    primary = state.metrics.front();
  }
  state.result.primary_metric = primary ? primary->name() : "loss";
  state.primary_higher = primary ? primary->higher_is_better() : false;
}

}  // namespace

void build_learner(RunState& state, const Registry& registry, RunContext& ctx) {
  const SplitIndices& split = state.split;
  DataLoaders& loaders = state.loaders;
  loaders.train = std::make_shared<DataLoader>(state.records, split.train, state.blocks, state.transforms,
                                               Split::train, state.train_loader);
  // The first batches are produced while the evaluation loaders cache their splits and the model is built.
  loaders.train->prepare_epoch(0);
  DataLoaderOptions eval_options = state.loader;
  eval_options.batch_size(state.valid_batch_size).shuffle(false).drop_last(false);
  if (!split.valid.empty())
    loaders.valid = std::make_shared<DataLoader>(state.records, split.valid, state.blocks, state.transforms,
                                                 Split::valid, eval_options);
  if (!split.test.empty())
    loaders.test = std::make_shared<DataLoader>(state.records, split.test, state.blocks, state.transforms, Split::test,
                                                eval_options);

  torch::manual_seed(state.seed);  // initialisation does not depend on how much randomness the data used
  state.model = build_model(state.recipe, registry, *state.blocks, /*apply_init_from=*/true);
  const Block& target = *state.blocks->target().block;
  const json& recipe = state.recipe;
  state.loss = recipe.contains("loss") && !recipe["loss"].is_null()
                   ? registry.loss(component_options(recipe["loss"]), "loss")
                   : make_loss(target.loss());
  settle_metrics(state, registry);
  LearnerOptions options;
  options.optimizer(state.plan.optimizer).wd(state.plan.wd).grad_clip(state.plan.grad_clip).grad_accum(state.plan.grad_accum);
  options.seed(state.seed).out_dir(ctx.dir()).out(&ctx.out()).progress(ctx.progress());
  state.learner = std::make_shared<Learner>(state.model, state.blocks, loaders, state.loss, state.metrics, options,
                                            state.transforms);
  ctx.attach(*state.learner);
  add_train_callbacks(state, ctx);
}

}  // namespace adapt
