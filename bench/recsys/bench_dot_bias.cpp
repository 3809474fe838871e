// EmbeddingDotBias training loop (forward, MSE, backward, optimizer step) on random ids, the same loop
// as peers/dot_bias_peer.py. Prints one JSON line: samples/s, mean step time and peak RSS.
//   recsys_bench --batch 64 --users 610 --items 9724 --factors 50 --optimizer adamw --threads 2
// --optimizer adamw: the core's AdamW (lazy sparse rows, per-element state);
// --optimizer rowwise: the core's row-wise AdamW ("rowwise_adamw": one state value per row: bounded memory).
#include <adapt/common/memory.h>
#include <adapt/common/threads.h>
#include <adapt/data/data_blocks.h>
#include <adapt/model/losses.h>
#include <adapt/train/optimizer.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include <chrono>
#include <iostream>
#include <string>

#include "ids_block.h"
#include "models.h"
#include "step_profile.h"

using adapt::json;

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  json args = {{"batch", 64}, {"users", 610}, {"items", 9724}, {"factors", 50}, {"steps", 2000}, {"warmup", 200},
               {"optimizer", "adamw"}, {"threads", 1}, {"sparse", true}, {"seed", 0}};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = std::string(argv[i]).substr(2);
    if (!args.contains(key)) {
      std::cerr << "recsys_bench: unknown option --" << key << "; known: " << args.dump() << "\n";
      return 2;
    }
    args[key] = args[key].is_string() ? json(argv[i + 1]) : json::parse(argv[i + 1]);
  }
  adapt::set_num_threads(args["threads"].get<int>());
  torch::manual_seed(args["seed"].get<int64_t>());
  const int64_t batch = args["batch"], users = args["users"], items = args["items"];

  // Tables of exactly `users` and `items` rows: hash mode with buckets = rows - 1 (row 0 is the
  // unknown id), so no vocabulary of millions of strings inflates memory.
  adapt::recsys::IdEncoderOptions u, it;
  u.mode = it.mode = "hash";
  u.n_hashes = it.n_hashes = 1;
  u.buckets = users - 1;
  it.buckets = items - 1;
  auto ids = std::make_shared<adapt::recsys::IdsBlock>("user", "item", u, it);
  adapt::Records one({"user", "item"}, "bench");
  one.add_row({"u", "i"});
  ids->setup(one);
  adapt::DataBlocks blocks({{"x", ids}}, {"y", nullptr});
  adapt::Options options(adapt::recsys::DotBiasModel::schema(),
                         {{"n_factors", args["factors"]}, {"y_range", {0.0, 5.5}}, {"sparse", args["sparse"]}}, "model");
  auto model = std::make_shared<adapt::recsys::DotBiasModel>(options, adapt::ModelContext{blocks, 1});
  model->train();

  adapt::HyperParams hp;
  hp.lr = 5e-3;
  hp.wd = 0.1;
  std::vector<adapt::ParamGroup> groups = {{model->parameters(), hp, 0, true}};
  const std::string optimizer = args["optimizer"] == "rowwise" ? "rowwise_adamw" : args["optimizer"].get<std::string>();
  std::unique_ptr<adapt::Optimizer> opt = adapt::make_optimizer(optimizer, groups);
  adapt::MSELoss mse;

  // A pool of random batches, cycled (ids spread over the whole table: the cache-unfriendly case).
  const int64_t pool = 64;
  std::vector<adapt::Batch> batches;
  for (int64_t b = 0; b < pool; ++b) {
    batches.push_back({{"x.user", torch::randint(1, users, {batch, 1}, torch::kInt64)},
                       {"x.item", torch::randint(1, items, {batch, 1}, torch::kInt64)},
                       {"y", torch::rand({batch, 1}) * 4.5 + 0.5}});
  }
  const int64_t steps = args["steps"], warmup = args["warmup"];
  auto run = [&](int64_t n, int64_t offset, adapt::bench::StepProfile& profile) {
    for (int64_t s = 0; s < n; ++s) {
      profile.begin_step();
      const adapt::Batch& b = batches[static_cast<size_t>((s + offset) % pool)];
      opt->zero_grad();
      torch::Tensor prediction = model->forward(b);
      profile.phase("forward");
      torch::Tensor loss = mse(prediction, b.at("y"));
      profile.phase("loss");
      loss.backward();
      profile.phase("backward");
      opt->step();
      profile.phase("optimizer");
      profile.end_step();
    }
  };
  adapt::bench::StepProfile off("", false);
  run(warmup, 0, off);
  const auto start = std::chrono::steady_clock::now();
  run(steps, warmup, off);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  json out = args;
  out["side"] = "adapt";
  out["samples_per_s"] = static_cast<double>(steps * batch) / seconds;
  out["step_ms"] = 1000.0 * seconds / static_cast<double>(steps);
  out["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  std::cout << out.dump() << std::endl;
  // ADAPT_BENCH_PROFILE: more steps, after the timed ones, profiled.
  adapt::bench::StepProfile profile("EmbeddingDotBias, batch " + std::to_string(batch) + ", " + std::to_string(items) +
                                    " item rows, " + args["optimizer"].get<std::string>());
  if (profile.enabled()) run(profile.steps_in_all(), warmup + steps, profile);
  return 0;
}
