// Learner overhead per training step against hand-written LibTorch loops on the same model, data and
// optimizer. Usage: bench_core_learner_overhead [--threads N] [--epochs E] [--repeats R]
//
//   hand/fixed      one pre-built batch, forward + loss + backward + AdamW step (no data loading)
//   hand/loader     the same loop over the DataLoader's batches (what any real loop must do)
//   learner         Learner::fit over the same DataLoader (schedule, recorder, callbacks, metrics off)
// Overhead = learner / hand-loader - 1, the cost of the Learner's bookkeeping per step.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "adapt/common/memory.h"
#include "adapt/model/losses.h"
#include "adapt/train/learner.h"
#include "adapt/train/optimizer.h"
#include "bench_support.h"

using namespace adapt;
using bench::seconds_since;

namespace {

constexpr int64_t kFeatures = 32, kClasses = 10, kBatch = 64, kBatches = 200;

Records synthetic() {
  std::mt19937_64 engine(1);
  std::normal_distribution<double> normal;
  Records records(bench::table_columns(kFeatures), "synthetic");
  for (int64_t r = 0; r < kBatch * kBatches; ++r) {
    std::vector<std::string> row;
    double sum = 0;
    for (int64_t f = 0; f < kFeatures; ++f) {
      double v = normal(engine);
      sum += v * static_cast<double>(f % 3);
      row.push_back(std::to_string(v));
    }
    row.push_back("c" + std::to_string(static_cast<int64_t>(std::fabs(sum)) % kClasses));
    records.add_row(row);
  }
  return records;
}

}  // namespace

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  // Plain names, not a structured binding: C++17 lambdas cannot capture those.
  const bench::CoreFlags flags = bench::parse_core_flags(argc, argv);
  const int threads = flags.threads, epochs = flags.epochs, repeats = flags.repeats;
  Registry registry;
  register_core_components(registry);

  const bench::TableLoader table = bench::table_loader(registry, std::make_shared<const Records>(synthetic()), kBatch);
  const auto& blocks = table.blocks;
  const auto& loader = table.loader;
  ModelContext ctx{*blocks, kClasses};
  json model_spec = {{"name", "core.mlp"}, {"layers", {200, 100}}};
  auto make_model = [&] {
    torch::manual_seed(0);
    return registry.model(model_spec, "model", ctx);
  };
  auto make_optimizer_for = [&](Model& model) {
    return make_optimizer("adamw", split_no_decay(model.layer_groups(), default_hyper_params("adamw")));
  };
  CrossEntropyLoss loss;
  const int64_t steps = epochs * kBatches;

  auto hand_fixed = [&] {
    auto model = make_model();
    auto opt = make_optimizer_for(*model);
    loader->set_epoch(0);
    loader->start_epoch();
    Batch batch = *loader->next();
    while (loader->next()) {
    }
    model->train(true);
    auto t = std::chrono::steady_clock::now();
    for (int64_t s = 0; s < steps; ++s) {
      auto l = loss(model->forward(batch), batch.at("y"));
      l.backward();
      opt->step();
      opt->zero_grad();
    }
    return seconds_since(t);
  };
  auto hand_loader = [&] {
    auto model = make_model();
    auto opt = make_optimizer_for(*model);
    model->train(true);
    auto t = std::chrono::steady_clock::now();
    for (int e = 0; e < epochs; ++e) {
      loader->set_epoch(e);
      loader->start_epoch();
      while (auto batch = loader->next()) {
        auto l = loss(model->forward(*batch), batch->at("y"));
        l.backward();
        opt->step();
        opt->zero_grad();
      }
    }
    return seconds_since(t);
  };
  auto learner_fit = [&] {
    auto model = make_model();
    DataLoaders loaders;
    loaders.train = loader;
    Learner learner(model, blocks, loaders, std::make_shared<CrossEntropyLoss>(), {}, LearnerOptions().progress(false));
    auto t = std::chrono::steady_clock::now();
    learner.fit(epochs, 1e-3);
    return seconds_since(t);
  };

  // Interleaved repeats, best of each (least disturbed by other load on the machine).
  double best_fixed = 1e9, best_loader = 1e9, best_learner = 1e9;
  hand_loader();  // warm-up
  for (int r = 0; r < repeats; ++r) {
    best_fixed = std::min(best_fixed, hand_fixed());
    best_loader = std::min(best_loader, hand_loader());
    best_learner = std::min(best_learner, learner_fit());
  }
  auto us = [&](double s) { return 1e6 * s / static_cast<double>(steps); };
  std::printf("core learner overhead: MLP %lld-200-100-%lld, batch %lld, %lld steps, %d thread(s), best of %d\n",
              static_cast<long long>(kFeatures), static_cast<long long>(kClasses), static_cast<long long>(kBatch),
              static_cast<long long>(steps), threads, repeats);
  std::printf("  hand/fixed   %8.1f us/step\n", us(best_fixed));
  std::printf("  hand/loader  %8.1f us/step\n", us(best_loader));
  std::printf("  learner      %8.1f us/step\n", us(best_learner));
  std::printf("  overhead vs hand/loader: %+.1f%%  (target <= 5%%)\n", 100.0 * (best_learner / best_loader - 1.0));
  std::printf("  overhead vs hand/fixed:  %+.1f%%\n", 100.0 * (best_learner / best_fixed - 1.0));
  return 0;
}
