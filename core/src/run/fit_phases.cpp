// fit_phases: the train section's phases, resumable from a checkpoint, with lr_find where asked.
#include "adapt/model/fusion_model.h"
#include "adapt/report/plot.h"
#include "adapt/run/stages.h"
#include "adapt/train/checkpoint.h"

namespace adapt {
namespace {

namespace fs = std::filesystem;

// Continues from resume_dir/checkpoint.pt when asked; returns the phase to start with. A missing
// checkpoint, or one another recipe wrote, stops the run instead of silently training afresh.
size_t resume_phase(RunState& state, RunContext& ctx) {
  const fs::path file = ctx.resume_dir() / "checkpoint.pt";
  if (!ctx.resume() || ctx.resume_dir().empty()) return 0;
  if (!fs::exists(file)) {
    if (ctx.resume_or_start()) return 0;
    throw Error("--resume: there is no checkpoint " + file.string() +
                " to continue from (train.checkpoint writes one). Run without --resume to start afresh, or with "
                "--resume-or-start to continue when a checkpoint exists and start otherwise");
  }
  // The recipe is checked before any weight is read: another recipe's checkpoint may fit by chance.
  torch::serialize::InputArchive peek;
  load_archive(peek, file, "checkpoint");
  const json extra = read_json(peek, "meta", "checkpoint " + file.string()).value("extra", json::object());
  const std::string recorded = extra.value("recipe_hash", "");
  if (!recorded.empty() && recorded != state.recipe_hash)
    throw Error("--resume: " + file.string() + " was written by another recipe (recipe hash " + recorded +
                ", this recipe " + state.recipe_hash + "); resume with the recipe that wrote it, or give this run "
                "another --out");
  Learner& learner = *state.learner;
  learner.load_checkpoint(file);
  size_t phase = learner.checkpoint_extra().value("phase", size_t{0});
  if (phase < state.plan.phases.size() && learner.start_epoch() >= state.plan.phases[phase].epochs) {
    ++phase;
    learner.set_start_epoch(0);
  }
  ctx.out() << "resuming from " << file.string() << ": phase " << phase + 1 << ", epoch " << learner.start_epoch()
            << "\n";
  return phase;
}

void plot_lr_find(const fs::path& file, const LrFindResult& found, size_t phase) {
  LinePlotOptions o;
  o.title = "lr_find (phase " + std::to_string(phase + 1) + ")";
  o.x_label = "learning rate";
  o.y_label = "smoothed loss";
  o.log_x = true;
  o.marker_x = found.suggestion;
  o.marker_label = "suggestion";
  write_line_plot(file, {{"loss", found.lrs, found.losses}}, o);
}

// The phase's learning rate; "find" runs lr_find once per phase (a resumed run reuses its result).
LearningRate phase_lr(RunState& state, RunContext& ctx, size_t i) {
  const PhasePlan& phase = state.plan.phases[i];
  if (!phase.lr.is_string()) return LearningRate::from_json(phase.lr, "train.lr");
  Learner& learner = *state.learner;
  json found_lrs = learner.checkpoint_extra().value("found_lrs", json::object());
  const std::string key = std::to_string(i);
  if (!found_lrs.contains(key)) {
    LrFindResult found = learner.lr_find();
    // Each rank swept its own shard: all use rank 0's suggestion.
    found.suggestion = ctx.agree(found.suggestion, "sharing lr_find's suggestion");
    found_lrs[key] = found.suggestion;
    if (!ctx.dir().empty() && found.lrs.size() >= 2)
      plot_lr_find(ctx.dir() / ("lr_find_phase" + std::to_string(i + 1) + ".svg"), found, i);
  }
  learner.checkpoint_extra()["found_lrs"] = found_lrs;
  ctx.out() << "lr_find suggests " << found_lrs[key].get<double>() << "\n";
  return LearningRate(found_lrs[key].get<double>());
}

// {"text": -1, "table": 0}: within each named branch of a core.fusion model, its own groups from n on
// train (negative n counts from the branch's top, the branch's group count freezes it whole); the
// branches not named and the combiner with the head train.
void freeze_per_branch(Learner& learner, Model& model, const json& freeze_to, size_t phase) {
  const std::string path = "train.phases[" + std::to_string(phase) + "].freeze_to";
  auto* fusion = dynamic_cast<FusionModel*>(&model);
  if (!fusion) throw OptionError(path + ": an object (per branch) applies to core.fusion models only; give an integer");
  const auto owners = fusion->layer_group_branches();
  std::vector<bool> trainable(owners.size(), true);
  for (const auto& [name, value] : freeze_to.items()) {
    std::vector<size_t> groups;
    for (size_t g = 0; g < owners.size(); ++g)
      if (owners[g] == name) groups.push_back(g);
    if (groups.empty())
      throw OptionError(path + "." + name + ": no trained branch \"" + name + "\" (a frozen branch has no groups)");
    const auto count = static_cast<int64_t>(groups.size());
    const int64_t n = value.get<int64_t>(), first = n < 0 ? count + n : n;
    if (first < 0 || first > count)
      throw OptionError(path + "." + name + ": " + std::to_string(n) + " is out of range for a branch with " +
                        std::to_string(count) + " layer groups (use 0.." + std::to_string(count) + " or -1..-" +
                        std::to_string(count) + "; " + std::to_string(count) + " freezes it whole)");
    for (int64_t k = 0; k < count; ++k) trainable[groups[static_cast<size_t>(k)]] = k >= first;
  }
  learner.set_trainable_groups(trainable);
}

}  // namespace

void fit_phases(RunState& state, RunContext& ctx) {
  Learner& learner = *state.learner;
  const auto& phases = state.plan.phases;
  if (!ctx.dir().empty()) learner.set_interrupt_checkpoint(ctx.dir() / "checkpoint.pt");
  for (size_t i = resume_phase(state, ctx); i < phases.size(); ++i) {
    const PhasePlan& phase = phases[i];
    learner.checkpoint_extra()["phase"] = i;
    learner.checkpoint_extra()["recipe_hash"] = state.recipe_hash;
    if (phase.freeze_to)
      learner.freeze_to(*phase.freeze_to);
    else if (phase.branch_freeze_to.is_object())
      freeze_per_branch(learner, *state.model, phase.branch_freeze_to, i);
    else
      learner.unfreeze();
    LearningRate lr = phase_lr(state, ctx, i);
    ctx.out() << "phase " << i + 1 << "/" << phases.size() << ": " << phase.schedule << ", " << phase.epochs
              << " epochs, lr " << phase.lr.dump()
              << (phase.freeze_to ? ", freeze_to " + std::to_string(*phase.freeze_to) : "")
              << (phase.branch_freeze_to.is_object() ? ", freeze_to " + phase.branch_freeze_to.dump() : "") << "\n";
    if (phase.schedule == "one_cycle")
      learner.fit_one_cycle(phase.epochs, lr, phase.one_cycle);
    else if (phase.schedule == "cosine")
      learner.fit_cosine(phase.epochs, lr);
    else
      learner.fit(phase.epochs, lr);
    if (learner.stopped()) break;  // early stopping ends the whole run
  }
  learner.unfreeze();
  if (!state.best_file.empty() && ctx.dir().empty()) fs::remove(state.best_file);
}

}  // namespace adapt
