// What fusing costs per training step (issue 19): a core.fusion recipe's fused network against each of
// its branches trained alone (the recipe's ablation models), every model stepping on the very same
// batches, already in memory; then the share of the time spent waiting for data while the fused model
// trains from the recipe's own loader for W batches. Targets: fused step <= 1.10 x the sum of the
// branches' steps; data wait <= 5%.
//   bench_fused_step RECIPE.json [--threads N] [--batches B] [--repeats R] [--wait-batches W]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "adapt/common/memory.h"
#include "adapt/plugin/plugin_host.h"
#include "adapt/run/stages.h"
#include "adapt/train/optimizer.h"
#include "bench_support.h"

using namespace adapt;
using bench::seconds_since;

namespace {

struct Flags {
  std::string recipe;
  int threads = 2, batches = 20, repeats = 3, wait_batches = 100;
};

Flags parse(int argc, char** argv) {
  Flags flags;
  if (argc < 2) throw std::runtime_error("usage: bench_fused_step RECIPE.json [--threads N] [--batches B] [--repeats R] [--wait-batches W]");
  flags.recipe = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) flags.threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--batches")) flags.batches = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--repeats")) flags.repeats = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--wait-batches")) flags.wait_batches = std::atoi(argv[i + 1]);
  }
  return flags;
}

// The recipe's stages up to a built learner (data read, split, blocks fitted, model and optimizer).
RunState built(const json& recipe, const Registry& registry, RunContext& ctx) {
  RunState state = resolve_defaults(recipe, registry, ctx);
  read_and_split(state, registry, ctx);
  setup_blocks(state, registry, ctx);
  build_learner(state, registry, ctx);
  return state;
}

// The first `n` training batches of epoch 0: the same for every variant (same rows, seed, blocks).
std::vector<Batch> first_batches(RunState& state, int n) {
  DataLoader& loader = *state.loaders.train;
  loader.set_epoch(0);
  loader.start_epoch();
  std::vector<Batch> batches;
  while (static_cast<int>(batches.size()) < n) {
    auto batch = loader.next();
    if (!batch) break;
    batches.push_back(std::move(*batch));
  }
  while (loader.next()) {
  }
  return batches;
}

// One training step: forward, loss, backward and the optimizer's step.
void step(Learner& learner, const Batch& batch) {
  learner.model().train(true);
  learner.loss_function()(learner.model().forward(batch), batch.at("y")).backward();
  learner.optimizer().step();
  learner.optimizer().zero_grad();
}

// Best seconds per step over `repeats` passes over `batches`.
double seconds_per_step(Learner& learner, const std::vector<Batch>& batches, int repeats) {
  for (size_t i = 0; i < std::min<size_t>(2, batches.size()); ++i) step(learner, batches[i]);  // warm-up
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t = std::chrono::steady_clock::now();
    for (const auto& batch : batches) step(learner, batch);
    best = std::min(best, seconds_since(t) / static_cast<double>(batches.size()));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) try {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  const Flags flags = parse(argc, argv);
  set_num_threads(flags.threads);
  Registry registry;
  register_core_components(registry);
  PluginHost host(registry);
  host.load_all();
  std::ifstream in(flags.recipe);
  if (!in) throw std::runtime_error(flags.recipe + ": cannot read the recipe");
  const json recipe = json::parse(in);
  if (recipe.at("model").value("name", "") != "core.fusion") throw std::runtime_error(flags.recipe + ": model is not core.fusion");

  std::ostringstream log;
  std::printf("%-28s %12s\n", "model", "ms/step");
  RunContext ctx(quiet_run_options(log));
  RunState fused = built(recipe, registry, ctx);
  const std::vector<Batch> batches = first_batches(fused, flags.batches);
  const double fused_step = seconds_per_step(*fused.learner, batches, flags.repeats);
  std::printf("%-28s %12.2f\n", "fused", 1e3 * fused_step);
  double branch_sum = 0;
  for (const auto& [name, branch] : recipe.at("model").at("branches").items()) {
    json alone = recipe;  // as fusion_ablations trains it: the branch's encoder with its own head
    alone["model"] = branch["encoder"];
    RunState state = built(alone, registry, ctx);
    const double branch_step = seconds_per_step(*state.learner, batches, flags.repeats);
    branch_sum += branch_step;
    std::printf("%-28s %12.2f\n", ("branch " + name + " alone").c_str(), 1e3 * branch_step);
  }
  std::printf("%-28s %12.2f\nfused / sum of branches: %.3f (target <= 1.10); %zu batches of %lld, best of %d, %d threads\n",
              "sum of branches", 1e3 * branch_sum, fused_step / branch_sum, batches.size(),
              static_cast<long long>(batches.empty() ? 0 : batches[0].at("y").size(0)), flags.repeats, flags.threads);

  if (flags.wait_batches > 0) {  // the fused model fed by the recipe's own loader (workers, prefetch)
    DataLoader& loader = *fused.loaders.train;
    loader.set_epoch(1);
    loader.start_epoch();
    double waited = 0;
    int steps = 0;
    const auto t = std::chrono::steady_clock::now();
    for (; steps < flags.wait_batches; ++steps) {
      const auto asked = std::chrono::steady_clock::now();
      std::optional<Batch> batch = loader.next();
      waited += seconds_since(asked);
      if (!batch) break;
      step(*fused.learner, *batch);
    }
    const double total = seconds_since(t);
    std::printf("fused, from the loader: %d steps in %.1f s, data wait %.2f%% (target <= 5%%)\n", steps, total,
                100.0 * waited / total);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_fused_step: %s\n", e.what());
  return 1;
}
