// train_recipe: reader -> splitter -> blocks (setup on train) -> transforms -> loaders -> model ->
// learner -> phases -> metrics on valid (and test, once) -> baselines -> reports -> interpretation ->
// export, with run.json recording what is needed to reproduce and judge the run.
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "adapt/callbacks.h"
#include "adapt/core_baselines.h"
#include "adapt/data_loader.h"
#include "adapt/distributed.h"
#include "adapt/export.h"
#include "adapt/interpretation.h"
#include "adapt/learner.h"
#include "adapt/losses.h"
#include "adapt/plot.h"
#include "adapt/recipe.h"
#include "adapt/threads.h"
#include "adapt/version.h"
#include "adapt/atomic_file.h"

namespace adapt {
namespace {

namespace fs = std::filesystem;

std::string fmt_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string pad(const std::string& s, size_t width) { return s.size() >= width ? s : s + std::string(width - s.size(), ' '); }
std::string lpad(const std::string& s, size_t width) { return s.size() >= width ? s : std::string(width - s.size(), ' ') + s; }

bool schema_has(const Registry& registry, Kind kind, const std::string& name, const std::string& option) {
  if (!registry.has(kind, name)) return false;
  for (const auto& spec : registry.info(kind, name).options)
    if (spec.name() == option) return true;
  return false;
}

// Scores baseline predictions with fresh metric instances and the loss.
json score(const torch::Tensor& predictions, const torch::Tensor& targets, std::vector<std::shared_ptr<Metric>> metrics,
           const Loss& loss) {
  json result = json::object();
  result["loss"] = loss(predictions, targets).item<double>();
  for (auto& m : metrics) {
    m->reset();
    m->accumulate(predictions, targets);
    result[m->name()] = m->value();
  }
  return result;
}

std::string describe_row(const DataBlocks& blocks, const Records& records, size_t row) {
  std::string out;
  for (const auto& bound : blocks.inputs()) {
    std::string d = bound.block->describe(records, row);
    out += (out.empty() ? "" : " | ") + d;
  }
  if (out.size() > 200) out = out.substr(0, 197) + "...";
  return out;
}

void print_results(std::ostream& out, const json& metrics, const json& baselines,
                   const std::vector<std::shared_ptr<Metric>>& metric_list, json& verdicts) {
  std::vector<std::string> columns = {"loss"};
  for (const auto& m : metric_list) columns.push_back(m->name());
  // The model column fits the longest baseline name, so names never run into the split.
  size_t width = 22;
  for (const auto& [name, result] : baselines.items()) width = std::max(width, name.size() + 2);
  out << "\nresults\n  " << pad("model", width) << pad("split", 7);
  for (const auto& c : columns) out << lpad(c, 14);
  out << "\n";
  auto row = [&](const std::string& name, const std::string& split, const json& values) {
    out << "  " << pad(name, width) << pad(split, 7);
    for (const auto& c : columns)
      out << lpad(values.contains(c) && values[c].is_number() ? fmt_value(values[c].get<double>()) : "-", 14);
    out << "\n";
  };
  for (const char* split : {"valid", "test"})
    if (metrics.contains(split)) row("network", split, metrics[split]);
  for (const auto& [name, result] : baselines.items())
    for (const char* split : {"valid", "test"})
      if (result.contains(split)) row(name, split, result[split]);

  // The verdict on the first metric (or the loss when there is none).
  std::string key = metric_list.empty() ? "loss" : metric_list.front()->name();
  bool higher = metric_list.empty() ? false : metric_list.front()->higher_is_better();
  for (const auto& [name, result] : baselines.items()) {
    if (result.contains("error")) continue;
    for (const char* split : {"valid", "test"}) {
      if (!metrics.contains(split) || !result.contains(split)) continue;
      double net = metrics[split].value(key, NAN), base = result[split].value(key, NAN);
      std::string verdict;
      if (std::fabs(net - base) <= 1e-9 * std::max(1.0, std::fabs(base)))
        verdict = "the network and " + name + " tie on " + key;
      else if ((net > base) == higher)
        verdict = "the network beats " + name + " on " + key;
      else
        verdict = name + " beats the network on " + key;
      verdict += " (" + std::string(split) + ": network " + fmt_value(net) + ", " + name + " " + fmt_value(base) + ")";
      out << "  " << verdict << "\n";
      verdicts.push_back(verdict);
    }
  }
  out << std::flush;
}

}  // namespace

RunResult train_recipe(const json& recipe_given, const RunOptions& options, const Registry& registry) {
  auto started = std::chrono::steady_clock::now();
  // Distributed: every rank trains; only rank 0 prints, evaluates, writes files and exports.
  const std::shared_ptr<DistributedContext>& dist = options.distributed;
  const bool distributed = dist && dist->enabled();
  const bool main_rank = !distributed || dist->is_main();
  std::ostream discard(nullptr);
  std::ostream& out = !main_rank ? discard : options.out ? *options.out : std::cout;
  validate_recipe(recipe_given, registry);

  json recipe = recipe_given;
  const uint64_t seed = recipe.value("seed", uint64_t{42});
  recipe["seed"] = seed;
  if (!recipe.contains("splitter") || recipe["splitter"].is_null())
    recipe["splitter"] = {{"name", "core.random"}, {"valid_pct", 0.2}};
  if (recipe["splitter"].is_string()) recipe["splitter"] = {{"name", recipe["splitter"]}};
  // Every seeded component follows the recipe's seed unless it gives its own.
  const std::string splitter_name = recipe["splitter"].value("name", "");
  if (!recipe["splitter"].contains("seed") && schema_has(registry, Kind::splitter, splitter_name, "seed"))
    recipe["splitter"]["seed"] = seed;

  TrainPlan plan = parse_train_section(recipe["train"]);
  InterpretPlan interpret = parse_interpret_section(recipe.value("interpret", json::object()));
  json loader_json = recipe.value("loader", json::object());
  DataLoaderOptions loader_options = DataLoaderOptions::from_json(loader_json, "loader");
  loader_options.seed(seed);
  // loader.batch_size is the global batch, so results and checkpoints do not depend on the process count.
  DataLoaderOptions train_loader_options = loader_options;
  if (distributed) {
    if (loader_options.batch_size() % dist->world_size() != 0)
      throw OptionError("loader.batch_size: " + std::to_string(loader_options.batch_size()) +
                        " is the global batch and must divide evenly over the " + std::to_string(dist->world_size()) +
                        " processes; use a multiple of " + std::to_string(dist->world_size()));
    train_loader_options.batch_size(loader_options.batch_size() / dist->world_size())
        .rank(dist->rank())
        .world_size(dist->world_size());
  }
  int64_t valid_batch_size = loader_json.contains("valid_batch_size") && loader_json["valid_batch_size"].is_number()
                                 ? loader_json["valid_batch_size"].get<int64_t>()
                                 : 2 * loader_options.batch_size();
  json filled = fill_recipe_defaults(recipe, registry);
  filled["train"] = plan.filled;
  filled["loader"] = loader_options.to_json();
  filled["loader"]["valid_batch_size"] = valid_batch_size;
  filled["interpret"] = {{"top_losses", interpret.top_losses},
                         {"confusion_matrix", interpret.confusion_matrix},
                         {"most_confused_min", interpret.most_confused_min}};

  const fs::path dir = options.write_files && main_rank ? options.out_dir : fs::path();
  const fs::path resume_dir = options.write_files ? options.out_dir : fs::path();  // every rank reads it
  if (!dir.empty()) fs::create_directories(dir);
  torch::manual_seed(seed);

  // --- data ---------------------------------------------------------------------------------------
  auto reader = registry.reader(component_options(recipe["reader"]), "reader");
  auto records = std::make_shared<const Records>(reader->read());
  if (records->empty()) throw DataError("reader: read no records from " + records->source() + "; check the reader's path");
  auto splitter = registry.splitter(component_options(recipe["splitter"]), "splitter");
  SplitIndices split = splitter->split(*records);
  if (split.train.empty()) throw DataError("splitter: the training split is empty; check the splitter's options");
  // No validation part is a refit: settings chosen earlier with one, now trained on train+valid and
  // scored on the test part alone (the splitters draw test rows first, so they are the same rows).
  if (split.valid.empty() && split.test.empty())
    throw DataError("splitter: the validation and test splits are both empty, so nothing can be scored; give the "
                    "splitter a valid part (e.g. core.random valid_pct 0.2)");
  if (split.valid.empty() && (!plan.early_stopping.is_null() || !plan.save_best.is_null()))
    throw OptionError("train: early_stopping and save_best watch the validation split, which is empty; give the "
                      "splitter a valid part or remove them");
  const std::string hash = data_hash(*records);
  out << "data: " << records->size() << " records from " << records->source() << " (" << hash << "); train "
      << split.train.size() << ", valid " << split.valid.size() << ", test " << split.test.size() << "\n";

  auto blocks = build_blocks(recipe, registry);
  {
    Records train_records = records->subset(split.train);
    auto setup = [&](const json& spec, const std::string& key, Block& block) {
      if (spec.is_object() && spec.contains("state_from")) {
        fs::path file = spec["state_from"].get<std::string>();
        json manifest = read_manifest(file);
        const json& states = manifest.at("blocks");
        if (!states.contains(key))
          throw OptionError("state_from: " + file.string() + " has no block with key \"" + key + "\" (it has " +
                            [&] {
                              std::string keys;
                              for (const auto& item : states.items()) keys += (keys.empty() ? "" : ", ") + item.key();
                              return keys;
                            }() +
                            ")");
        block.load_state(states[key]);
      } else {
        block.setup(train_records);
      }
    };
    for (size_t i = 0; i < blocks->inputs().size(); ++i)
      setup(recipe["inputs"][i], blocks->inputs()[i].key, *blocks->inputs()[i].block);
    setup(recipe["target"], blocks->target().key, *blocks->target().block);
  }
  std::vector<std::string> warnings = data_warnings(*records, split, *blocks);
  for (const auto& w : warnings) out << "warning: " << w << "\n";
  auto transforms = build_transforms(recipe, registry, *blocks, /*deterministic_only=*/false);

  DataLoaders loaders;
  loaders.train = std::make_shared<DataLoader>(records, split.train, blocks, transforms, Split::train, train_loader_options);
  // The first batches are produced while the evaluation loaders cache their splits and the model is
  // built.
  loaders.train->prepare_epoch(0);
  DataLoaderOptions eval_options = loader_options;
  eval_options.batch_size(valid_batch_size).shuffle(false).drop_last(false);
  if (!split.valid.empty())
    loaders.valid = std::make_shared<DataLoader>(records, split.valid, blocks, transforms, Split::valid, eval_options);
  if (!split.test.empty())
    loaders.test = std::make_shared<DataLoader>(records, split.test, blocks, transforms, Split::test, eval_options);

  // --- model and learner -------------------------------------------------------------------------
  torch::manual_seed(seed);  // initialisation does not depend on how much randomness the data used
  auto model = build_model(recipe, registry, *blocks, /*apply_init_from=*/true);
  const Block& target = *blocks->target().block;
  std::shared_ptr<Loss> loss = recipe.contains("loss") && !recipe["loss"].is_null()
                                   ? registry.loss(component_options(recipe["loss"]), "loss")
                                   : make_loss(target.loss());
  auto metrics = build_metrics(recipe, registry, target);
  LearnerOptions learner_options;
  learner_options.optimizer(plan.optimizer).wd(plan.wd).grad_clip(plan.grad_clip).grad_accum(plan.grad_accum);
  learner_options.seed(seed).out_dir(dir).out(&out).progress(options.progress);
  auto learner = std::make_shared<Learner>(model, blocks, loaders, loss, metrics, learner_options, transforms);
  if (distributed) learner->add_callback(std::make_shared<DistributedCallback>(dist));

  fs::path best_file;
  if (!plan.early_stopping.is_null()) {
    const json& e = plan.early_stopping;
    learner->add_callback(std::make_shared<EarlyStopping>(
        MonitorOptions{e["monitor"].get<std::string>(), e["mode"].get<std::string>(), e["min_delta"].get<double>()}, e["patience"].get<int64_t>()));
  }
  if (!plan.save_best.is_null()) {
    const json& s = plan.save_best;
    best_file = dir.empty() ? fs::temp_directory_path() / ("adapt-best-" + std::to_string(::getpid()) + ".pt")
                            : dir / "best.pt";
    learner->add_callback(
        std::make_shared<SaveBest>(best_file, MonitorOptions{s["monitor"].get<std::string>(), s["mode"].get<std::string>(), s["min_delta"].get<double>()}));
  }
  if (!plan.checkpoint.is_null()) {
    if (dir.empty())
      out << "warning: train.checkpoint needs a run directory; no checkpoints are written\n";
    else
      learner->add_callback(std::make_shared<CheckpointCallback>(dir, plan.checkpoint["every_epochs"].get<int64_t>(),
                                                                 plan.checkpoint["every_minutes"].get<double>()));
  }

  // --- training ------------------------------------------------------------------------------------
  size_t first_phase = 0;
  if (options.resume && !resume_dir.empty() && fs::exists(resume_dir / "checkpoint.pt")) {
    learner->load_checkpoint(resume_dir / "checkpoint.pt");
    first_phase = learner->checkpoint_extra().value("phase", size_t{0});
    if (first_phase < plan.phases.size() && learner->start_epoch() >= plan.phases[first_phase].epochs) {
      ++first_phase;
      learner->set_start_epoch(0);
    }
    out << "resuming from " << (resume_dir / "checkpoint.pt").string() << ": phase " << first_phase + 1 << ", epoch "
        << learner->start_epoch() << "\n";
  }
  json found_lrs = learner->checkpoint_extra().value("found_lrs", json::object());
  for (size_t i = first_phase; i < plan.phases.size(); ++i) {
    const PhasePlan& phase = plan.phases[i];
    learner->checkpoint_extra()["phase"] = i;
    if (phase.freeze_to)
      learner->freeze_to(*phase.freeze_to);
    else
      learner->unfreeze();
    LearningRate lr(1e-3);
    if (phase.lr.is_string()) {
      std::string key = std::to_string(i);
      if (!found_lrs.contains(key)) {
        LrFindResult found = learner->lr_find();
        // Each rank swept its own shard: all use rank 0's suggestion.
        if (distributed) found.suggestion = dist->broadcast(found.suggestion, "sharing lr_find's suggestion");
        found_lrs[key] = found.suggestion;
        if (!dir.empty() && found.lrs.size() >= 2) {
          LinePlotOptions o;
          o.title = "lr_find (phase " + std::to_string(i + 1) + ")";
          o.x_label = "learning rate";
          o.y_label = "smoothed loss";
          o.log_x = true;
          o.marker_x = found.suggestion;
          o.marker_label = "suggestion";
          write_line_plot(dir / ("lr_find_phase" + std::to_string(i + 1) + ".svg"), {{"loss", found.lrs, found.losses}}, o);
        }
      }
      lr = LearningRate(found_lrs[key].get<double>());
      learner->checkpoint_extra()["found_lrs"] = found_lrs;
      out << "lr_find suggests " << found_lrs[key].get<double>() << "\n";
    } else {
      lr = LearningRate::from_json(phase.lr, "train.lr");
    }
    out << "phase " << i + 1 << "/" << plan.phases.size() << ": " << phase.schedule << ", " << phase.epochs
        << " epochs, lr " << phase.lr.dump() << (phase.freeze_to ? ", freeze_to " + std::to_string(*phase.freeze_to) : "")
        << "\n";
    if (phase.schedule == "one_cycle")
      learner->fit_one_cycle(phase.epochs, lr, phase.one_cycle);
    else if (phase.schedule == "cosine")
      learner->fit_cosine(phase.epochs, lr);
    else
      learner->fit(phase.epochs, lr);
    if (learner->stopped()) break;  // early stopping ends the whole run
  }
  learner->unfreeze();
  if (!best_file.empty() && dir.empty()) fs::remove(best_file);
  if (!main_rank) {  // the weights are rank 0's; it alone evaluates, reports and exports
    RunResult result;
    result.learner = learner;
    return result;
  }

  // --- evaluation ------------------------------------------------------------------------------------
  RunResult result;
  result.learner = learner;
  result.metrics = json::object();
  if (loaders.valid) result.metrics["valid"] = learner->validate(Split::valid);
  if (loaders.test) result.metrics["test"] = learner->validate(Split::test);

  result.baselines = json::object();
  if (recipe.contains("baselines")) {
    BaselineContext ctx{*records, split, *blocks};
    const auto& list = recipe["baselines"];
    for (size_t i = 0; i < list.size(); ++i) {
      json spec = list[i].is_string() ? json{{"name", list[i]}} : list[i];
      std::string name = spec["name"];
      if (result.baselines.contains(name)) name += "#" + std::to_string(i);
      auto baseline = registry.baseline(component_options(spec), "baselines[" + std::to_string(i) + "]");
      json entry = {{"description", baseline->description()}};
      try {
        baseline->fit(ctx);
        for (const auto& [split_name, rows] : {std::pair<const char*, const std::vector<size_t>*>{"valid", &split.valid},
                                               {"test", &split.test}}) {
          if (rows->empty()) continue;
          auto predictions = baseline->predict(ctx, *rows);
          auto targets = baseline_targets(ctx, *rows);
          entry[split_name] = score(predictions, targets, build_metrics(recipe, registry, target), *loss);
        }
      } catch (const Error& e) {
        entry["error"] = e.what();
        std::string w = "baseline " + name + " failed: " + e.what();
        warnings.push_back(w);
        out << "warning: " << w << "\n";
      }
      result.baselines[name] = entry;
    }
  }
  json verdicts = json::array();
  print_results(out, result.metrics, result.baselines, metrics, verdicts);

  result.reports = json::object();
  if (recipe.contains("reports")) {
    const auto& list = recipe["reports"];
    for (size_t i = 0; i < list.size(); ++i) {
      json spec = list[i].is_string() ? json{{"name", list[i]}} : list[i];
      auto report = registry.report(component_options(spec), "reports[" + std::to_string(i) + "]");
      ReportContext ctx{*learner, *records, split, *blocks, dir, out};
      result.reports[spec["name"].get<std::string>()] = report->run(ctx);
    }
  }

  // --- interpretation (validation split; the test split in a refit without one) -----------------------
  json interpretation = json::object();
  {
    const Split looked_at = loaders.valid ? Split::valid : Split::test;
    const std::string part = std::string(" (") + to_string(looked_at) + ")";
    interpretation["split"] = to_string(looked_at);
    Predictions preds = learner->get_preds(looked_at);
    std::vector<size_t> rows;
    auto row_acc = preds.rows.contiguous();
    for (int64_t i = 0; i < row_acc.size(0); ++i) rows.push_back(static_cast<size_t>(row_acc[i].item<int64_t>()));
    std::vector<std::string> items;
    if (interpret.top_losses > 0)
      for (size_t r : rows) items.push_back(describe_row(*blocks, *records, r));
    auto classes = target.classes();
    bool single_label = preds.targets.scalar_type() == torch::kInt64 && preds.targets.dim() == 1 && preds.outputs.dim() == 2;
    if (!single_label && !classes.empty()) classes.clear();  // multi-label or sequences: no confusion matrix
    if (classes.empty() && !(preds.outputs.dim() <= 2 && preds.targets.is_floating_point())) {
      // Neither single-label classification nor regression: only the loss ranking is meaningful.
    } else {
      Interpretation interp(preds.outputs, preds.targets, preds.losses, rows, classes, items);
      if (interp.is_classification() && interpret.confusion_matrix) {
        auto cm = interp.confusion_matrix();
        std::vector<std::vector<int64_t>> counts(static_cast<size_t>(cm.size(0)));
        for (int64_t a = 0; a < cm.size(0); ++a)
          for (int64_t b = 0; b < cm.size(1); ++b) counts[static_cast<size_t>(a)].push_back(cm[a][b].item<int64_t>());
        interpretation["confusion_matrix"] = counts;
        json confused = json::array();
        for (const auto& p : interp.most_confused(interpret.most_confused_min))
          confused.push_back({{"actual", p.actual}, {"predicted", p.predicted}, {"count", p.count}});
        interpretation["most_confused"] = confused;
        if (classes.size() <= 20) out << "\nconfusion matrix" << part << "\n" << interp.confusion_matrix_text();
        out << "\nmost confused" << part << "\n" << interp.most_confused_text(interpret.most_confused_min);
        if (!dir.empty()) {
          interp.write_confusion_matrix_csv(dir / "confusion_matrix.csv");
          interp.write_most_confused_csv(dir / "most_confused.csv", interpret.most_confused_min);
          write_confusion_matrix_plot(dir / "confusion_matrix.svg", counts, classes, "confusion matrix" + part);
        }
      }
      if (interpret.top_losses > 0) {
        auto k = static_cast<size_t>(interpret.top_losses);
        out << "\ntop losses" << part << "\n" << interp.top_losses_text(k);
        json top = json::array();
        for (const auto& t : interp.top_losses(k))
          top.push_back({{"row", t.row},
                         {"origin", records->origin(t.row)},
                         {"item", t.item},
                         {"actual", t.actual},
                         {"predicted", t.predicted},
                         {"probability", t.probability},
                         {"loss", t.loss}});
        interpretation["top_losses"] = top;
        if (!dir.empty()) interp.write_top_losses_csv(dir / "top_losses.csv", k);
      }
    }
  }
  if (!dir.empty()) {
    const Recorder& rec = learner->recorder();
    std::vector<double> epochs = rec.column("epoch");
    LinePlotOptions o;
    o.title = "loss";
    o.x_label = "epoch";
    o.y_label = "loss";
    write_line_plot(dir / "loss.svg", {{"train_loss", epochs, rec.column("train_loss")}, {"valid_loss", epochs, rec.column("valid_loss")}}, o);
    if (!metrics.empty()) {
      std::vector<PlotSeries> series;
      for (const auto& m : metrics) series.push_back({m->name(), epochs, rec.column(m->name())});
      o.title = "validation metrics";
      o.y_label = "value";
      write_line_plot(dir / "metrics.svg", series, o);
    }
  }

  // --- export and run record ---------------------------------------------------------------------
  if (!dir.empty()) {
    result.model_file = dir / "model.adapt";
    export_model(result.model_file, filled, *blocks, *model, registry);
    out << "\nexported " << result.model_file.string() << "\n";
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  json run = {
      {"seed", seed},
      {"recipe", filled},
      {"data", {{"source", records->source()}, {"records", records->size()}, {"hash", hash},
                {"split", {{"train", split.train.size()}, {"valid", split.valid.size()}, {"test", split.test.size()}}}}},
      {"versions", {{"adapt", version()}, {"torch", TORCH_VERSION}, {"fingerprint", build_fingerprint()},
                    {"plugins", recipe_plugins(filled, registry)}}},
      {"threads", num_threads()},
      {"warnings", warnings},
      {"metrics", result.metrics},
      {"baselines", result.baselines},
      {"verdicts", verdicts},
      {"history", learner->recorder().history()},
      {"stopped", learner->stop_reason()},
      {"seconds", seconds},
  };
  if (distributed)
    run["distributed"] = {{"world_size", dist->world_size()},
                          {"batch_size_per_rank", train_loader_options.batch_size()},
                          {"validation", "full validation split on every rank"}};
  if (!dir.empty()) {
    write_text_atomically(dir / "run.json", run.dump(2) + "\n");
    json metrics_file = {{"metrics", result.metrics}, {"baselines", result.baselines}, {"reports", result.reports},
                         {"interpretation", interpretation}};
    write_text_atomically(dir / "metrics.json", metrics_file.dump(2) + "\n");
  }
  return result;
}

}  // namespace adapt
