// A small MLP training loop in adapt against the same loop in PyTorch-Python (bench/peers/core_mlp.py),
// run side by side with the same threads. Usage: bench_core_mlp [--threads N] [--epochs E] [--repeats R]
//
//   adapt/hand     LibTorch C++ loop: randperm + index_select batches, core.mlp, adapt AdamW
//   adapt/learner  Learner::fit over a DataLoader (what `adapt train` runs)
//   pytorch        the Python peer: nn.Sequential of the same layers, torch.optim.AdamW
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "adapt/common/memory.h"
#include "adapt/model/losses.h"
#include "adapt/train/learner.h"
#include "adapt/train/optimizer.h"
#include "bench_support.h"
#include "step_profile.h"

using namespace adapt;
using bench::seconds_since;

namespace {
constexpr int64_t kFeatures = 32, kClasses = 10, kBatch = 64, kBatches = 200;

std::string run_command(const std::string& command) {
  std::string output;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return output;
  std::array<char, 512> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe.get())) output += buffer.data();
  return output;
}
}  // namespace

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  // Plain names, not a structured binding: C++17 lambdas cannot capture those.
  const bench::CoreFlags flags = bench::parse_core_flags(argc, argv);
  const int threads = flags.threads, epochs = flags.epochs, repeats = flags.repeats;
  Registry registry;
  register_core_components(registry);

  // Data as tensors (hand loop) and as records (learner), same sizes as the peer.
  auto gen = torch::make_generator<at::CPUGeneratorImpl>(2);
  auto x = torch::randn({kBatch * kBatches, kFeatures}, gen);
  auto y = torch::randint(0, kClasses, {kBatch * kBatches}, gen);
  auto records = std::make_shared<Records>(bench::table_columns(kFeatures), "synthetic");
  auto xa = x.accessor<float, 2>();
  for (int64_t r = 0; r < x.size(0); ++r) {
    std::vector<std::string> row;
    for (int64_t f = 0; f < kFeatures; ++f) row.push_back(std::to_string(xa[r][f]));
    row.push_back("c" + std::to_string(y[r].item<int64_t>()));
    records->add_row(row);
  }
  const bench::TableLoader table = bench::table_loader(registry, records, kBatch);
  const auto& blocks = table.blocks;
  const auto& loader = table.loader;
  ModelContext ctx{*blocks, kClasses};
  auto make_model = [&] {
    torch::manual_seed(0);
    return registry.model({{"name", "core.mlp"}, {"layers", {200, 100}}}, "model", ctx);
  };
  CrossEntropyLoss loss;
  const int64_t steps = epochs * kBatches;

  auto hand = [&] {
    auto model = make_model();
    auto opt = make_optimizer("adamw", split_no_decay(model->layer_groups(), default_hyper_params("adamw")));
    model->train(true);
    auto order_gen = torch::make_generator<at::CPUGeneratorImpl>(1);
    auto t = std::chrono::steady_clock::now();
    for (int e = 0; e < epochs; ++e) {
      auto order = torch::randperm(x.size(0), order_gen);
      for (int64_t b = 0; b < kBatches; ++b) {
        auto idx = order.slice(0, b * kBatch, (b + 1) * kBatch);
        Batch batch{{"x", x.index_select(0, idx)}, {"y", y.index_select(0, idx)}};
        auto l = loss(model->forward(batch), batch.at("y"));
        l.backward();
        opt->step();
        opt->zero_grad();
      }
    }
    return seconds_since(t);
  };
  auto learner_fit = [&] {
    DataLoaders loaders;
    loaders.train = loader;
    Learner learner(make_model(), blocks, loaders, std::make_shared<CrossEntropyLoss>(), {},
                    LearnerOptions().progress(false));
    auto t = std::chrono::steady_clock::now();
    learner.fit(epochs, 1e-3);
    return seconds_since(t);
  };

  // ADAPT_BENCH_PROFILE: one more Learner run, after the timed ones, profiles its steps.
  auto learner_profile = [&] {
    bench::StepProfile profile("core MLP 32-200-100-10, batch 64, Learner");
    if (!profile.enabled()) return;
    DataLoaders loaders;
    loaders.train = loader;
    Learner learner(make_model(), blocks, loaders, std::make_shared<CrossEntropyLoss>(), {},
                    LearnerOptions().progress(false));
    learner.add_callback(std::make_shared<bench::StepProfileCallback>(profile));
    learner.fit(1, 1e-3);
  };

  hand();  // warm-up
  double best_hand = 1e9, best_learner = 1e9;
  for (int r = 0; r < repeats; ++r) {
    best_hand = std::min(best_hand, hand());
    best_learner = std::min(best_learner, learner_fit());
  }
  learner_profile();
  std::string peer = std::string(ADAPT_BENCH_SOURCE_DIR) + "/peers/core_mlp.py";
  std::string command = "/usr/bin/python3 " + peer + " --threads " + std::to_string(threads) + " --epochs " +
                        std::to_string(epochs) + " --repeats " + std::to_string(repeats) + " 2>&1";
  std::string peer_out = run_command(command);
  double peer_us = -1;
  try {
    peer_us = json::parse(peer_out.substr(peer_out.find('{'))).at("us_per_step").get<double>();
  } catch (...) {
  }
  auto us = [&](double s) { return 1e6 * s / static_cast<double>(steps); };
  std::printf("core MLP training: %lld-200-100-%lld, batch %lld, %lld steps, %d thread(s), best of %d\n",
              static_cast<long long>(kFeatures), static_cast<long long>(kClasses), static_cast<long long>(kBatch),
              static_cast<long long>(steps), threads, repeats);
  std::printf("  adapt/hand     %8.1f us/step\n", us(best_hand));
  std::printf("  adapt/learner  %8.1f us/step\n", us(best_learner));
  if (peer_us > 0) {
    std::printf("  pytorch        %8.1f us/step  (%s)\n", peer_us, command.c_str());
    std::printf("  ratio pytorch / adapt-learner: %.2fx (above 1: adapt is faster)\n", peer_us / us(best_learner));
    std::printf("  ratio pytorch / adapt-hand:    %.2fx\n", peer_us / us(best_hand));
  } else {
    std::printf("  pytorch peer failed: %s\n", peer_out.c_str());
  }
  return 0;
}
