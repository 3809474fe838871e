// DistributedContext on c10d's ProcessGroupGloo + TCPStore, gradient averaging and the Learner hook.
// The launcher (adapt train --nproc N) lives in distributed_launch.cpp.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1  // Debian's libtorch is built with Gloo; its header hides the class without this
#endif
#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>

#include "adapt/distributed/distributed.h"
#include "adapt/train/learner.h"

namespace adapt {
namespace {

using Clock = std::chrono::steady_clock;

std::string message_of(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) return c10->what_without_backtrace();
  return e.what();
}

const char* env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

int64_t env_integer(const char* name, int64_t fallback, int64_t low, int64_t high, const char* meaning) {
  const char* v = env_or_null(name);
  if (!v) return fallback;
  char* end = nullptr;
  long long value = std::strtoll(v, &end, 10);
  if (*end != '\0' || value < low || value > high)
    throw OptionError(std::string(name) + ": must be " + meaning + " (" + std::to_string(low) + ".." +
                      std::to_string(high) + "), got '" + v + "'");
  return value;
}

bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

// Tensors of one dtype concatenated into flat buckets of at most `bucket_bytes` (a bigger tensor is a
// bucket of its own), so one collective moves many small tensors.
struct Bucket {
  std::vector<torch::Tensor> tensors;  // the originals, written back after the collective
  torch::Tensor flat;
};

std::vector<Bucket> make_buckets(const std::vector<torch::Tensor>& tensors, int64_t bucket_bytes) {
  std::map<int, std::vector<torch::Tensor>> by_dtype;  // deterministic order on every rank
  for (const auto& t : tensors) by_dtype[static_cast<int>(t.scalar_type())].push_back(t);
  std::vector<Bucket> buckets;
  for (auto& [dtype, list] : by_dtype) {
    Bucket current;
    int64_t bytes = 0;
    for (const auto& t : list) {
      int64_t b = t.numel() * static_cast<int64_t>(t.element_size());
      if (!current.tensors.empty() && bytes + b > bucket_bytes) {
        buckets.push_back(std::move(current));
        current = Bucket();
        bytes = 0;
      }
      current.tensors.push_back(t);
      bytes += b;
    }
    if (!current.tensors.empty()) buckets.push_back(std::move(current));
  }
  for (auto& bucket : buckets) {
    std::vector<torch::Tensor> views;
    for (const auto& t : bucket.tensors) views.push_back(t.reshape({-1}));
    bucket.flat = torch::cat(views);
  }
  return buckets;
}

void unflatten(Bucket& bucket) {
  int64_t offset = 0;
  for (auto& t : bucket.tensors) {
    t.copy_(bucket.flat.narrow(0, offset, t.numel()).view_as(t));
    offset += t.numel();
  }
}

}  // namespace

// --- options and environment -------------------------------------------------------------------------
DistributedOptions DistributedOptions::from_env() {
  DistributedOptions o;
  o.timeout = std::chrono::seconds(
      env_integer("ADAPT_DIST_TIMEOUT", 60, 1, 86400, "the collective timeout in whole seconds"));
  return o;
}

DistributedEnv DistributedEnv::from_env() {
  DistributedEnv env;
  const char* rank = env_or_null("RANK");
  const char* world = env_or_null("WORLD_SIZE");
  if (!rank && !world) return env;
  if (!rank || !world)
    throw OptionError(std::string(rank ? "WORLD_SIZE" : "RANK") + " is not set but " + (rank ? "RANK" : "WORLD_SIZE") +
                      " is; a distributed run needs both (torchrun conventions), or neither for one process");
  env.world_size = env_integer("WORLD_SIZE", 1, 1, 1 << 20, "the number of processes");
  env.rank = env_integer("RANK", 0, 0, env.world_size - 1, "this process's rank, below WORLD_SIZE");
  env.local_rank = env_integer("LOCAL_RANK", env.rank, 0, 1 << 20, "the rank on this machine");
  if (const char* addr = env_or_null("MASTER_ADDR")) env.master_addr = addr;
  env.master_port = static_cast<int>(env_integer("MASTER_PORT", 29500, 1, 65535, "a TCP port"));
  return env;
}

// --- context -------------------------------------------------------------------------------------------
struct DistributedContext::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

DistributedContext::DistributedContext(int64_t rank, int64_t world_size, int64_t local_rank, DistributedOptions options)
    : rank_(rank), world_size_(world_size), local_rank_(local_rank), options_(options) {}

DistributedContext::~DistributedContext() = default;

std::shared_ptr<DistributedContext> DistributedContext::single() {
  return std::shared_ptr<DistributedContext>(new DistributedContext(0, 1, 0, DistributedOptions()));
}

std::shared_ptr<DistributedContext> DistributedContext::from_env() {
  DistributedEnv env = DistributedEnv::from_env();
  // Started by `adapt train --nproc`: die with the launcher rather than train on as an orphan.
  if (const char* launcher = env_or_null("ADAPT_LAUNCHER_PID")) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (std::to_string(::getppid()) != launcher)
      throw Error("distributed: the launcher (pid " + std::string(launcher) + ") is gone; rank " +
                  std::to_string(env.rank) + " stops");
  }
  return create(env, DistributedOptions::from_env());
}

std::shared_ptr<DistributedContext> DistributedContext::create(const DistributedEnv& env, DistributedOptions options) {
  if (env.world_size <= 1) return single();
  if (env.rank < 0 || env.rank >= env.world_size)
    throw OptionError("RANK: must be in [0, WORLD_SIZE=" + std::to_string(env.world_size) + "), got " +
                      std::to_string(env.rank));
  auto ctx = std::shared_ptr<DistributedContext>(new DistributedContext(env.rank, env.world_size, env.local_rank, options));
  ctx->impl_ = std::make_unique<Impl>();
  const std::string where = env.master_addr + ":" + std::to_string(env.master_port);
  const double timeout_s = std::chrono::duration<double>(options.timeout).count();
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(env.master_port);
    store_options.isServer = env.rank == 0;
    store_options.numWorkers = static_cast<size_t>(env.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = options.timeout;
    ctx->impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);

    auto group_options = c10d::ProcessGroupGloo::Options::create(options.timeout);
    if (const char* ifname = env_or_null("GLOO_SOCKET_IFNAME"))
      group_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else if (is_loopback(env.master_addr))
      group_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      group_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    ctx->impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(ctx->impl_->store, static_cast<int>(env.rank),
                                                                    static_cast<int>(env.world_size), group_options);
  } catch (const std::exception& e) {
    throw Error("distributed: rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) +
                " could not join the process group at " + where + " within " + std::to_string(timeout_s) +
                " s: " + message_of(e) +
                ". Check that every rank was started with the same MASTER_ADDR/MASTER_PORT and WORLD_SIZE, that rank 0 "
                "can listen on that port, and that no rank failed at start-up (raise ADAPT_DIST_TIMEOUT for slow starts)");
  }
  return ctx;
}

namespace {

[[noreturn]] void collective_failed(const DistributedContext& ctx, const std::string& what, const std::exception& e) {
  throw Error("distributed: " + what + " failed on rank " + std::to_string(ctx.rank()) + " of " +
              std::to_string(ctx.world_size()) + ": " + message_of(e) +
              ". Another rank probably exited or stopped responding (see its own error output); collectives give up "
              "after " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(ctx.options().timeout).count()) +
              " s (ADAPT_DIST_TIMEOUT)");
}

// Waits for every work item, even after one failed, so none is left running on a dead connection.
template <typename Works>
void wait_all(const DistributedContext& ctx, Works& works, const std::string& what) {
  std::exception_ptr first;
  for (auto& w : works) {
    try {
      w->wait();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (!first) return;
  try {
    std::rethrow_exception(first);
  } catch (const std::exception& e) {
    collective_failed(ctx, what, e);
  }
}

}  // namespace

void DistributedContext::broadcast(std::vector<torch::Tensor>& tensors, const std::string& what, int64_t root) {
  if (!enabled()) return;
  torch::NoGradGuard no_grad;
  auto buckets = make_buckets(tensors, options_.bucket_bytes);
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  try {
    for (auto& b : buckets) {
      std::vector<torch::Tensor> one = {b.flat};
      works.push_back(impl_->group->broadcast(one, opts));
    }
  } catch (const std::exception& e) {
    collective_failed(*this, what, e);
  }
  wait_all(*this, works, what);
  for (auto& b : buckets) unflatten(b);
}

double DistributedContext::broadcast(double value, const std::string& what, int64_t root) {
  if (!enabled()) return value;
  std::vector<torch::Tensor> t = {torch::tensor({value}, torch::kFloat64)};
  broadcast(t, what, root);
  return t[0].item<double>();
}

void DistributedContext::all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what) {
  if (!enabled()) return;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  try {
    for (auto& t : tensors) {
      if (!t.is_contiguous()) throw Error("all_reduce_sum: tensor " + std::to_string(&t - tensors.data()) + " is not contiguous");
      std::vector<torch::Tensor> one = {t};
      works.push_back(impl_->group->allreduce(one));
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    collective_failed(*this, what, e);
  }
  wait_all(*this, works, what);
}

double DistributedContext::all_reduce_sum(double value, const std::string& what) {
  std::vector<torch::Tensor> t = {torch::tensor({value}, torch::kFloat64)};
  all_reduce_sum(t, what);
  return t[0].item<double>();
}

std::vector<torch::Tensor> DistributedContext::all_gather(const torch::Tensor& tensor, const std::string& what) {
  if (!enabled()) return {tensor};
  if (tensor.dim() == 0) throw Error("all_gather: needs a tensor with a first dimension, got a scalar");
  // First dimensions may differ: gather them, pad every rank's tensor to the longest, trim after.
  std::vector<torch::Tensor> lengths = {torch::zeros({world_size_}, torch::kInt64)};
  lengths[0][rank_] = tensor.size(0);
  all_reduce_sum(lengths, what);
  std::vector<int64_t> n(lengths[0].data_ptr<int64_t>(), lengths[0].data_ptr<int64_t>() + world_size_);
  int64_t longest = *std::max_element(n.begin(), n.end());
  auto shape = tensor.sizes().vec();
  shape[0] = longest;
  torch::Tensor padded = torch::zeros(shape, tensor.options());
  if (tensor.size(0) > 0) padded.narrow(0, 0, tensor.size(0)).copy_(tensor);
  std::vector<std::vector<torch::Tensor>> outputs(1);
  for (int64_t r = 0; r < world_size_; ++r) outputs[0].push_back(torch::empty(shape, tensor.options()));
  std::vector<torch::Tensor> inputs = {padded};
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  try {
    works.push_back(impl_->group->allgather(outputs, inputs));
  } catch (const std::exception& e) {
    collective_failed(*this, what, e);
  }
  wait_all(*this, works, what);
  std::vector<torch::Tensor> out;
  for (int64_t r = 0; r < world_size_; ++r) out.push_back(outputs[0][static_cast<size_t>(r)].narrow(0, 0, n[static_cast<size_t>(r)]));
  return out;
}

void DistributedContext::barrier(const std::string& what) {
  if (!enabled()) return;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  try {
    works.push_back(impl_->group->barrier());
  } catch (const std::exception& e) {
    collective_failed(*this, what, e);
  }
  wait_all(*this, works, what);
}

// --- model helpers -------------------------------------------------------------------------------------
void broadcast_module(DistributedContext& dist, torch::nn::Module& module, int64_t root) {
  if (!dist.enabled()) return;
  std::vector<torch::Tensor> tensors;
  for (const auto& p : module.parameters()) tensors.push_back(p);
  for (const auto& b : module.buffers()) tensors.push_back(b);
  dist.broadcast(tensors, "broadcasting the weights from rank " + std::to_string(root), root);
}

void average_gradients(DistributedContext& dist, const std::vector<torch::Tensor>& parameters) {
  if (!dist.enabled()) return;
  torch::NoGradGuard no_grad;
  const auto n = static_cast<int64_t>(parameters.size());
  const double world = static_cast<double>(dist.world_size());
  // Which ranks have a gradient for each parameter, dense [0, n) and sparse [n, 2n): a parameter
  // unused in one rank's batch still has to take part in the same collectives everywhere.
  std::vector<torch::Tensor> have = {torch::zeros({2 * n}, torch::kInt64)};
  auto* h = have[0].data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& g = parameters[static_cast<size_t>(i)].grad();
    if (g.defined()) h[g.is_sparse() ? n + i : i] = 1;
  }
  dist.all_reduce_sum(have, "counting gradients");
  h = have[0].data_ptr<int64_t>();

  std::vector<torch::Tensor> dense;
  std::vector<int64_t> sparse;
  for (int64_t i = 0; i < n; ++i) {
    torch::Tensor p = parameters[static_cast<size_t>(i)];
    if (h[n + i] > 0) {
      sparse.push_back(i);
    } else if (h[i] > 0) {
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      dense.push_back(p.grad());
    }
  }
  if (!dense.empty()) {
    auto buckets = make_buckets(dense, dist.options().bucket_bytes);
    std::vector<torch::Tensor> flats;
    for (const auto& b : buckets) flats.push_back(b.flat);
    dist.all_reduce_sum(flats, "averaging gradients");
    for (size_t k = 0; k < buckets.size(); ++k) {
      buckets[k].flat = flats[k].div_(world);
      unflatten(buckets[k]);
    }
  }
  for (int64_t i : sparse) {
    torch::Tensor p = parameters[static_cast<size_t>(i)];
    torch::Tensor g = p.grad();
    int64_t sparse_dim = g.defined() ? g.sparse_dim() : 1;
    torch::Tensor indices, values;
    if (g.defined()) {
      g = g.coalesce();
      indices = g._indices().t().contiguous();  // [nnz, sparse_dim]: gathered along nnz
      values = g._values().contiguous();
    } else {
      indices = torch::zeros({0, sparse_dim}, torch::kInt64);
      auto value_shape = p.sizes().vec();
      value_shape.erase(value_shape.begin(), value_shape.begin() + sparse_dim);
      value_shape.insert(value_shape.begin(), 0);
      values = torch::zeros(value_shape, p.options());
    }
    const std::string what = "averaging the sparse gradient of parameter " + std::to_string(i);
    torch::Tensor all_indices = torch::cat(dist.all_gather(indices, what)).t();
    torch::Tensor all_values = torch::cat(dist.all_gather(values, what)).div_(world);
    p.mutable_grad() = torch::sparse_coo_tensor(all_indices, all_values, p.sizes()).coalesce();
  }
}

// --- the Learner hook ------------------------------------------------------------------------------------
DistributedCallback::DistributedCallback(std::shared_ptr<DistributedContext> dist) : dist_(std::move(dist)) {
  if (!dist_) throw Error("DistributedCallback: no DistributedContext given (use DistributedContext::single())");
}

void DistributedCallback::before_fit(Learner& learner) {
  if (!dist_->enabled()) return;
  // Ranks with different plans would pair up different steps in their collectives: refuse early.
  const int64_t n_params = static_cast<int64_t>(learner.model().parameters().size());
  torch::Tensor mine = torch::tensor({learner.n_iterations(), learner.start_epoch(), learner.n_epochs(), n_params,
                                      learner.options().grad_accum()},
                                     torch::kInt64)
                           .view({1, 5});
  auto all = dist_->all_gather(mine, "checking the training plan");
  const char* names[] = {"batches per epoch", "start epoch", "epochs", "parameter tensors", "grad_accum"};
  for (int64_t r = 1; r < dist_->world_size(); ++r)
    for (int64_t k = 0; k < 5; ++k) {
      int64_t a = all[0][0][k].item<int64_t>(), b = all[static_cast<size_t>(r)][0][k].item<int64_t>();
      if (a != b)
        throw Error("distributed: rank " + std::to_string(r) + " has " + std::to_string(b) + " " + names[k] +
                    " but rank 0 has " + std::to_string(a) +
                    "; every rank needs the same recipe, data, batch size and (when resuming) the same checkpoint");
    }
  broadcast_module(*dist_, learner.model());
}

void DistributedCallback::after_backward(Learner& learner) {
  if (!dist_->enabled()) return;
  // The same condition as the Learner's: average only before an optimizer step (not per accumulated batch).
  const int64_t next = learner.iteration() + 1;
  if (next % learner.options().grad_accum() != 0 && next < learner.n_iterations()) return;
  auto start = Clock::now();
  std::vector<torch::Tensor> params;
  for (const auto& p : learner.model().parameters())
    if (p.requires_grad()) params.push_back(p);
  average_gradients(*dist_, params);
  sync_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
  ++sync_steps_;
}

void DistributedCallback::after_epoch(Learner& learner) {
  if (!dist_->enabled()) return;
  std::vector<torch::Tensor> t = {
      torch::tensor({learner.epoch_train_loss_sum(), static_cast<double>(learner.epoch_train_items())}, torch::kFloat64)};
  dist_->all_reduce_sum(t, "summing the training loss");
  learner.set_epoch_train_loss(t[0][0].item<double>(), static_cast<int64_t>(t[0][1].item<double>()));
}

}  // namespace adapt
