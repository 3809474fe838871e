// EmbeddingDotBias training loop (forward, MSE, backward, optimizer step) on random ids, the same loop
// as peers/dot_bias_peer.py. Prints one JSON line: samples/s, mean step time and peak RSS.
//   recsys_bench --batch 64 --users 610 --items 9724 --factors 50 --optimizer adamw --threads 2
// --versus N: also the step on N item rows, in alternating blocks in the same process (run_versus).
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

namespace {

// One model, its optimizer and a pool of random batches over a table of `items` rows.
struct Case {
  std::shared_ptr<adapt::recsys::DotBiasModel> model;
  std::unique_ptr<adapt::Optimizer> opt;
  std::vector<adapt::Batch> batches;
  adapt::MSELoss mse;
  int64_t next = 0;  // the pool's batch for the next step

  Case(const json& args, int64_t items) {
    const int64_t batch = args["batch"], users = args["users"];
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
                           {{"n_factors", args["factors"]}, {"y_range", {0.0, 5.5}}, {"sparse", args["sparse"]}},
                           "model");
    model = std::make_shared<adapt::recsys::DotBiasModel>(options, adapt::ModelContext{blocks, 1});
    model->train();

    adapt::HyperParams hp;
    hp.lr = 5e-3;
    hp.wd = 0.1;
    std::vector<adapt::ParamGroup> groups = {{model->parameters(), hp, 0, true}};
    const std::string optimizer = args["optimizer"] == "rowwise" ? "rowwise_adamw" : args["optimizer"].get<std::string>();
    opt = adapt::make_optimizer(optimizer, groups);

    // A pool of random batches, cycled (ids spread over the whole table: the cache-unfriendly case).
    const int64_t pool = 64;
    for (int64_t b = 0; b < pool; ++b) {
      batches.push_back({{"x.user", torch::randint(1, users, {batch, 1}, torch::kInt64)},
                         {"x.item", torch::randint(1, items, {batch, 1}, torch::kInt64)},
                         {"y", torch::rand({batch, 1}) * 4.5 + 0.5}});
    }
  }

  // n training steps; returns their seconds.
  double run(int64_t n, adapt::bench::StepProfile& profile) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t s = 0; s < n; ++s) {
      profile.begin_step();
      const adapt::Batch& b = batches[static_cast<size_t>(next++ % static_cast<int64_t>(batches.size()))];
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
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

double peak_rss_mb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// --versus N: the same step on `items` rows and on N rows in one process, in alternating blocks of
// `block` steps (the first `settle` of each block untimed: the other case has just evicted this one's
// rows), so that both sides see the same spells of a shared host. Prints each side's step time.
int run_versus(const json& args) {
  const int64_t items = args["items"], versus = args["versus"], steps = args["steps"], warmup = args["warmup"];
  const int64_t block = args["block"], settle = args["settle"];
  if (block <= settle) {
    std::cerr << "recsys_bench: --block must exceed --settle\n";
    return 2;
  }
  Case big(args, items), small(args, versus);
  adapt::bench::StepProfile off("", false);
  big.run(warmup, off);
  small.run(warmup, off);
  double big_s = 0, small_s = 0;
  int64_t timed = 0;
  while (timed < steps) {
    big.run(settle, off);
    big_s += big.run(block - settle, off);
    small.run(settle, off);
    small_s += small.run(block - settle, off);
    timed += block - settle;
  }
  json out = args;
  out["side"] = "adapt";
  out["steps"] = timed;
  out["step_ms"] = 1000.0 * big_s / static_cast<double>(timed);
  out["versus_step_ms"] = 1000.0 * small_s / static_cast<double>(timed);
  out["ratio"] = big_s / small_s;
  out["peak_rss_mb"] = peak_rss_mb();
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  json args = {{"batch", 64},     {"users", 610},   {"items", 9724},       {"factors", 50}, {"steps", 2000},
               {"warmup", 200},   {"optimizer", "adamw"}, {"threads", 1}, {"sparse", true}, {"seed", 0},
               {"versus", 0},     {"block", 100},   {"settle", 10}};
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
  if (args["versus"].get<int64_t>() > 0) return run_versus(args);

  const int64_t batch = args["batch"], items = args["items"], steps = args["steps"], warmup = args["warmup"];
  Case one(args, items);
  adapt::bench::StepProfile off("", false);
  one.run(warmup, off);
  const double seconds = one.run(steps, off);
  json out = args;
  out.erase("versus");
  out.erase("block");
  out.erase("settle");
  out["side"] = "adapt";
  out["samples_per_s"] = static_cast<double>(steps * batch) / seconds;
  out["step_ms"] = 1000.0 * seconds / static_cast<double>(steps);
  out["peak_rss_mb"] = peak_rss_mb();
  std::cout << out.dump() << std::endl;
  // ADAPT_BENCH_PROFILE: more steps, after the timed ones, profiled.
  adapt::bench::StepProfile profile("EmbeddingDotBias, batch " + std::to_string(batch) + ", " + std::to_string(items) +
                                    " item rows, " + args["optimizer"].get<std::string>());
  if (profile.enabled()) one.run(profile.steps_in_all(), profile);
  return 0;
}
