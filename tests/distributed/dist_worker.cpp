// One rank of a small data-parallel run, started by test_distributed.cpp with the torchrun variables
// (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) or without them (one process).
//
//   adapt_dist_worker collectives out=DIR
//   adapt_dist_worker train out=DIR [batch=B] [epochs=E] [optimizer=sgd|adamw] [model=mlp|embedding]
//                     [die_rank=R die_step=S die_how=exit|hang] [stop_after=K] [checkpoint=1]
//                     [resume=CHECKPOINT_FILE]
//
// Rank 0 writes DIR/weights.pt (every parameter flattened into one tensor), DIR/init.pt (before
// training) and DIR/result.json; `collectives` writes DIR/rank<r>.json on every rank.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/serialize.h>

#include "adapt/common/threads.h"
#include "adapt/data/data_loader.h"
#include "adapt/distributed/distributed.h"
#include "adapt/metrics/metrics.h"
#include "adapt/model/losses.h"
#include "adapt/plugin/registry.h"
#include "adapt/train/callbacks.h"
#include "adapt/train/learner.h"

namespace fs = std::filesystem;
using namespace adapt;

namespace {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> out;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto eq = a.find('=');
    if (eq == std::string::npos) throw Error("worker: arguments are key=value, got " + a);
    out[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return out;
}

std::string arg(const std::map<std::string, std::string>& args, const std::string& key, const std::string& fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second;
}

void write_json(const fs::path& file, const json& j) {
  std::ofstream out(file);
  out << j.dump(2) << "\n";
}

std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.to(torch::kFloat64).contiguous().reshape({-1});
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// --- collectives ------------------------------------------------------------------------------------
int run_collectives(DistributedContext& dist, const fs::path& out) {
  const auto r = static_cast<double>(dist.rank());
  json result;
  std::vector<torch::Tensor> sums = {torch::tensor({r + 1, 10 * (r + 1)}, torch::kFloat32),
                                     torch::tensor({int64_t(1)}, torch::kInt64)};
  dist.all_reduce_sum(sums, "test all-reduce");
  result["sum_float"] = to_vector(sums[0]);
  result["sum_int"] = to_vector(sums[1]);

  // Several shapes and dtypes in one broadcast (they are bucketed per dtype).
  std::vector<torch::Tensor> b = {torch::full({2, 3}, r, torch::kFloat32), torch::full({4}, r, torch::kFloat64),
                                  torch::full({3}, int64_t(dist.rank()) + 7, torch::kInt64)};
  if (dist.is_main()) b[0] = torch::arange(6, torch::kFloat32).view({2, 3});
  dist.broadcast(b, "test broadcast");
  result["broadcast"] = {to_vector(b[0]), to_vector(b[1]), to_vector(b[2])};
  result["broadcast_scalar"] = dist.broadcast(dist.is_main() ? 0.125 : -1.0, "test scalar broadcast");

  // Rank r contributes r + 1 rows of value r.
  auto gathered = dist.all_gather(torch::full({dist.rank() + 1, 2}, r, torch::kFloat32), "test all-gather");
  json g = json::array();
  for (const auto& t : gathered) g.push_back(to_vector(t));
  result["gathered"] = g;

  // Sparse gradients: rank r looks up rows {r, 5}; a dense parameter used on rank 0 only.
  torch::nn::Embedding emb(torch::nn::EmbeddingOptions(8, 3).sparse(true));
  torch::Tensor only_rank0 = torch::ones({2}, torch::requires_grad());
  torch::Tensor shared = torch::ones({2}, torch::requires_grad());
  torch::Tensor loss = emb(torch::tensor({dist.rank(), int64_t(5)})).sum() * (r + 1) + (shared * (r + 1)).sum();
  if (dist.is_main()) loss = loss + (only_rank0 * 4).sum();
  loss.backward();
  average_gradients(dist, {emb->weight, only_rank0, shared});
  result["sparse_is_sparse"] = emb->weight.grad().is_sparse();
  result["sparse_grad"] = to_vector(emb->weight.grad().to_dense());
  result["only_rank0_grad"] = to_vector(only_rank0.grad());
  result["shared_grad"] = to_vector(shared.grad());
  dist.barrier("test barrier");
  write_json(out / ("rank" + std::to_string(dist.rank()) + ".json"), result);
  return 0;
}

// --- training ---------------------------------------------------------------------------------------
// a, b ~ N(0, 1), a user id of 24; label from a + 0.5 b + the user's bias.
std::shared_ptr<const Records> make_records(size_t n) {
  std::mt19937_64 engine(7);
  std::normal_distribution<double> normal;
  auto records = std::make_shared<Records>(std::vector<std::string>{"a", "b", "user", "label"}, "synthetic");
  for (size_t i = 0; i < n; ++i) {
    double a = normal(engine), b = normal(engine);
    size_t user = i % 24;
    double bias = (static_cast<double>(user % 5) - 2.0) * 0.4;
    std::ostringstream sa, sb;
    sa.precision(6);
    sb.precision(6);
    sa << a;
    sb << b;
    records->add_row({sa.str(), sb.str(), "u" + std::to_string(user), a + 0.5 * b + bias > 0 ? "pos" : "neg"},
                     "row " + std::to_string(i));
  }
  return records;
}

Registry& registry() {
  static Registry* r = [] {
    auto* reg = new Registry();
    register_core_components(*reg);
    return reg;
  }();
  return *r;
}

// Numeric features plus a sparse-gradient user embedding.
class EmbeddingModel : public Model {
 public:
  EmbeddingModel(int64_t n_users, int64_t n_out)
      : emb_(register_module("emb", torch::nn::Embedding(torch::nn::EmbeddingOptions(n_users, 4).sparse(true)))),
        head_(register_module("head", torch::nn::Linear(2 + 4, n_out))) {}
  torch::Tensor forward(const Batch& batch) override {
    return head_(torch::cat({get(batch, "x"), emb_(get(batch, "id"))}, 1));
  }

 private:
  torch::nn::Embedding emb_;
  torch::nn::Linear head_;
};

torch::Tensor flat_weights(Model& model) {
  std::vector<torch::Tensor> parts;
  for (const auto& p : model.parameters()) parts.push_back(p.detach().reshape({-1}).clone());
  return torch::cat(parts);
}

int run_train(const std::shared_ptr<DistributedContext>& dist, const fs::path& out,
              const std::map<std::string, std::string>& args) {
  const int64_t batch = std::stoll(arg(args, "batch", "16"));
  const int64_t epochs = std::stoll(arg(args, "epochs", "2"));
  const std::string model_kind = arg(args, "model", "mlp");
  const int64_t die_rank = std::stoll(arg(args, "die_rank", "-1"));
  const int64_t die_step = std::stoll(arg(args, "die_step", "-1"));
  const std::string die_how = arg(args, "die_how", "exit");
  const int64_t stop_after = std::stoll(arg(args, "stop_after", "0"));

  auto records = make_records(320);
  std::vector<size_t> train, valid;
  for (size_t i = 0; i < records->size(); ++i) (i < 256 ? train : valid).push_back(i);
  std::vector<BoundBlock> inputs{{"x", registry().block({{"name", "core.regression"}, {"columns", {"a", "b"}}}, "x")}};
  if (model_kind == "embedding")
    inputs.push_back({"id", registry().block({{"name", "core.category"}, {"column", "user"}}, "id")});
  auto blocks = std::make_shared<DataBlocks>(inputs, BoundBlock{"y", registry().block({{"name", "core.category"}, {"column", "label"}}, "y")});
  blocks->setup(records->subset(train));

  DataLoaders loaders;
  loaders.train = std::make_shared<DataLoader>(
      records, train, blocks, std::vector<std::shared_ptr<const Transform>>{}, Split::train,
      DataLoaderOptions().batch_size(batch).workers(0).seed(3).rank(dist->rank()).world_size(dist->world_size()));
  loaders.valid = std::make_shared<DataLoader>(records, valid, blocks, std::vector<std::shared_ptr<const Transform>>{},
                                               Split::valid, DataLoaderOptions().batch_size(64).workers(0));

  torch::manual_seed(static_cast<uint64_t>(1 + 1000 * dist->rank()));  // different per rank: the broadcast fixes it
  std::shared_ptr<Model> model;
  if (model_kind == "embedding") {
    model = std::make_shared<EmbeddingModel>(blocks->inputs()[1].block->dims()["vocab_size"].get<int64_t>(), 2);
  } else {
    ModelContext ctx{*blocks, blocks->target().block->n_outputs()};
    model = registry().model({{"name", "core.mlp"}, {"layers", {16}}, {"batchnorm", false}, {"dropout", 0.0}}, "model", ctx);
  }
  if (!dist->enabled() || dist->is_main()) {
    // Rank 0's initial weights are everyone's; the one-process run must start from the same ones.
    torch::manual_seed(1);
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.copy_(torch::randn_like(p) * 0.3);
  }
  LearnerOptions options;
  options.optimizer(arg(args, "optimizer", "sgd")).progress(false).seed(3);
  Learner learner(model, blocks, loaders, make_loss("cross_entropy"),
                  std::vector<std::shared_ptr<Metric>>{std::make_shared<Accuracy>()}, options);
  auto sync = std::make_shared<DistributedCallback>(dist);
  learner.add_callback(sync);
  if (die_rank == dist->rank()) {
    auto die = std::make_shared<LambdaCallback>("die");
    die->on_before_batch([&](Learner& l) {
      if (l.train_step() != die_step) return;
      std::cerr << "worker rank " << dist->rank() << ": " << die_how << " at step " << die_step << "\n" << std::flush;
      if (die_how == "hang") std::this_thread::sleep_for(std::chrono::seconds(600));
      std::_Exit(3);
    });
    learner.add_callback(die);
  }
  if (stop_after > 0) {
    auto stop = std::make_shared<LambdaCallback>("stop");
    stop->on_after_epoch([&](Learner& l) {
      if (l.epoch() + 1 == stop_after) l.stop("test: stop after epoch " + std::to_string(stop_after));
    });
    learner.add_callback(stop);
  }
  if (arg(args, "checkpoint", "0") == "1" && dist->is_main())
    learner.add_callback(std::make_shared<CheckpointCallback>(out, 1));
  std::string resume = arg(args, "resume", "");
  if (!resume.empty()) learner.load_checkpoint(resume);
  const int64_t start_epoch = learner.start_epoch();

  if (dist->is_main()) torch::save(flat_weights(*model), (out / "init.pt").string());
  auto started = std::chrono::steady_clock::now();
  learner.fit_one_cycle(epochs, 1e-2);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (dist->is_main()) {
    torch::save(flat_weights(*model), (out / "weights.pt").string());
    write_json(out / "result.json", {{"start_epoch", start_epoch},
                                     {"world_size", dist->world_size()},
                                     {"batches_per_epoch", learner.n_iterations()},
                                     {"history", learner.recorder().history()},
                                     {"sync_seconds", sync->sync_seconds()},
                                     {"sync_steps", sync->sync_steps()},
                                     {"fit_seconds", seconds}});
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* rank = std::getenv("RANK");
  try {
    if (argc < 2) throw Error("usage: adapt_dist_worker collectives|train out=DIR [key=value ...]");
    set_num_threads(1);
    auto args = parse_args(argc, argv);
    fs::path out = arg(args, "out", "");
    if (out.empty()) throw Error("worker: out=DIR is required");
    auto dist = DistributedContext::from_env();
    std::string mode = argv[1];
    if (mode == "collectives") return run_collectives(*dist, out);
    if (mode == "train") return run_train(dist, out, args);
    throw Error("worker: unknown mode " + mode);
  } catch (const std::exception& e) {
    std::cerr << "worker rank " << (rank ? rank : "0") << ": error: " << e.what() << "\n";
    return 1;
  }
}
