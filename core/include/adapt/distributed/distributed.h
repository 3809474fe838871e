#pragma once
// Distributed data-parallel training on LibTorch's c10d (Gloo over TCP), docs/distributed.md.
//
//   auto dist = DistributedContext::from_env();     // torchrun variables; none set: one process
//   learner.add_callback(std::make_shared<DistributedCallback>(dist));
//   learner.fit_one_cycle(5, 1e-3);                  // every rank runs the same loop on its shard
//
// World size 1 means no process group and no collective at all. With more ranks: the weights are
// broadcast from rank 0 at the start of every fit, gradients are averaged over the ranks after each
// backward pass that is followed by an optimizer step (dense ones bucketed and all-reduced, sparse
// ones all-gathered), and each epoch's training loss is summed over the ranks. A peer that dies or
// stops answering makes every collective throw adapt::Error within the timeout instead of hanging.
#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "adapt/train/callback.h"

namespace torch::nn {
class Module;
}

namespace adapt {

struct ADAPT_API DistributedOptions {
  // Rendezvous and collective timeout: a peer that is gone is reported within about this long.
  // ADAPT_DIST_TIMEOUT (seconds) overrides it in from_env().
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  // Dense gradients are all-reduced in flat buckets of at most this many bytes (PyTorch DDP: 25 MB).
  int64_t bucket_bytes = int64_t(25) << 20;

  // Defaults with ADAPT_DIST_TIMEOUT applied; throws OptionError on a bad value.
  static DistributedOptions from_env();
};

// Where this process sits: the torchrun variables.
struct ADAPT_API DistributedEnv {
  int64_t rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;

  // RANK, WORLD_SIZE, LOCAL_RANK (default: RANK), MASTER_ADDR (default 127.0.0.1), MASTER_PORT
  // (default 29500). None of RANK/WORLD_SIZE set: one process. Throws OptionError naming the
  // variable, its value and what it must be.
  static DistributedEnv from_env();
};

class ADAPT_API DistributedContext {
 public:
  // One process: no process group, every collective is a no-op.
  static std::shared_ptr<DistributedContext> single();
  // Joins the process group described by `env` (world size 1: single()). Rank 0 hosts the TCP
  // store at master_addr:master_port; throws adapt::Error when the others do not arrive in time.
  static std::shared_ptr<DistributedContext> create(const DistributedEnv& env,
                                                    DistributedOptions options = DistributedOptions::from_env());
  // create(DistributedEnv::from_env()).
  static std::shared_ptr<DistributedContext> from_env();

  ~DistributedContext();
  DistributedContext(const DistributedContext&) = delete;
  DistributedContext& operator=(const DistributedContext&) = delete;

  int64_t rank() const { return rank_; }
  int64_t world_size() const { return world_size_; }
  int64_t local_rank() const { return local_rank_; }
  bool enabled() const { return world_size_ > 1; }
  bool is_main() const { return rank_ == 0; }
  const DistributedOptions& options() const { return options_; }

  // Collectives: every rank must make the same calls in the same order. `what` names the step in
  // the error a failure throws (adapt::Error, naming this rank and the likely cause).
  void broadcast(std::vector<torch::Tensor>& tensors, const std::string& what, int64_t root = 0);
  double broadcast(double value, const std::string& what, int64_t root = 0);
  // In-place sums over the ranks. Tensors go out together (asynchronously) and are waited for at the end.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what);
  double all_reduce_sum(double value, const std::string& what);
  // Every rank's tensor, in rank order. Shapes must agree except for the first dimension.
  std::vector<torch::Tensor> all_gather(const torch::Tensor& tensor, const std::string& what);
  void barrier(const std::string& what);

 private:
  struct Impl;
  DistributedContext(int64_t rank, int64_t world_size, int64_t local_rank, DistributedOptions options);
  int64_t rank_, world_size_, local_rank_;
  DistributedOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Parameters and buffers of `module` from rank `root` to every rank (in place).
ADAPT_API void broadcast_module(DistributedContext& dist, torch::nn::Module& module, int64_t root = 0);

// Averages the gradients of `parameters` over the ranks, in place. Dense gradients are flattened
// into buckets of at most bucket_bytes (one dtype each), all-reduced together and divided by the world
// size. Sparse ones (nn::Embedding(sparse=true)) are coalesced, their indices and values all-gathered,
// divided and coalesced again, so only touched rows travel and the gradient stays sparse. A gradient
// missing on some ranks but not others counts as zero there; missing on all, it stays missing.
ADAPT_API void average_gradients(DistributedContext& dist, const std::vector<torch::Tensor>& parameters);

namespace callback_order {
constexpr int distributed = 5;  // before everything: others see the broadcast weights and reduced loss
}

// The Learner hook. before_fit: checks every rank has the same plan (batches per epoch, start
// epoch, parameter count) and broadcasts rank 0's weights. after_backward: averages the gradients
// when the optimizer steps next (so gradient clipping sees the global gradient). after_epoch: sums
// the training loss over the ranks so history and progress show the global mean.
class ADAPT_API DistributedCallback : public Callback {
 public:
  explicit DistributedCallback(std::shared_ptr<DistributedContext> dist);
  std::string name() const override { return "distributed"; }
  int order() const override { return callback_order::distributed; }
  void before_fit(Learner& learner) override;
  void after_backward(Learner& learner) override;
  void after_epoch(Learner& learner) override;

  // Seconds spent in gradient averaging and the number of averaging steps, since construction.
  double sync_seconds() const { return sync_seconds_; }
  int64_t sync_steps() const { return sync_steps_; }

 private:
  std::shared_ptr<DistributedContext> dist_;
  double sync_seconds_ = 0.0;
  int64_t sync_steps_ = 0;
};

// --- local launcher (adapt train --nproc N) -------------------------------------------------------
struct ADAPT_API LaunchOptions {
  int64_t nproc = 2;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;               // 0: a free port on master_addr
  double kill_grace_seconds = 5.0;   // SIGTERM to the survivors, then SIGKILL after this long
  std::ostream* err = nullptr;       // launcher messages; nullptr: std::cerr
};

// Starts `nproc` copies of `exe` with `args` (args[0] is argv[0]) and RANK, WORLD_SIZE, LOCAL_RANK,
// LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT set, plus ADAPT_NUM_THREADS = cores / nproc unless it is
// already set. Waits for all of them; returns 0 when every worker succeeded. When one exits non-zero
// or is killed, stops the others and throws adapt::Error naming its rank, pid and exit status or signal.
// SIGTERM/SIGINT sent to the launcher are passed on to the workers.
ADAPT_API int launch_local_workers(const std::string& exe, const std::vector<std::string>& args,
                                   const LaunchOptions& options = {});

// A TCP port that was free on `address` a moment ago (bind to port 0).
ADAPT_API int free_tcp_port(const std::string& address = "127.0.0.1");

}  // namespace adapt
