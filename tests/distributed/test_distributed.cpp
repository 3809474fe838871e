// Distributed data-parallel training on loopback: collectives between two real processes, the sharded
// sampler, equivalence of 2 ranks x batch B with 1 rank x batch 2B, dead and hung ranks, the launcher,
// resuming with a different number of processes, and `adapt train --nproc 2` end to end.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <numeric>
#include <sstream>
#include <thread>

#include <torch/serialize.h>

#include "core/support/learner_fixtures.h"
#include "adapt/data/sampler.h"
#include "adapt/distributed/distributed.h"

extern char** environ;

namespace fs = std::filesystem;
using namespace adapt;
using adapt::testing::TempDir;

namespace {

using Clock = std::chrono::steady_clock;

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json read_json_file(const fs::path& file) { return json::parse(slurp(file)); }

struct Proc {
  pid_t pid = -1;
  fs::path out, err;
};

// Starts `exe args...` with extra environment entries; stdout/stderr go to files in `dir`.
Proc spawn(const std::string& exe, const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
           const fs::path& dir, const std::string& tag) {
  Proc p;
  p.out = dir / (tag + ".out");
  p.err = dir / (tag + ".err");
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp, argv;
  for (auto& kv : env) envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::vector<std::string> all = {exe};
  all.insert(all.end(), args.begin(), args.end());
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, p.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, p.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = posix_spawn(&p.pid, exe.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn " + exe + " failed");
  return p;
}

// Exit code, or -signal; -1000 when it did not finish within `limit` (then it is killed).
int wait_for(const Proc& p, double limit_seconds) {
  auto deadline = Clock::now() + std::chrono::duration<double>(limit_seconds);
  int status = 0;
  while (Clock::now() < deadline) {
    if (::waitpid(p.pid, &status, WNOHANG) == p.pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(p.pid, SIGKILL);
  ::waitpid(p.pid, &status, 0);
  return -1000;
}

std::vector<std::string> rank_env(int64_t rank, int64_t world, int port, const std::string& timeout = "20") {
  return {"RANK=" + std::to_string(rank), "WORLD_SIZE=" + std::to_string(world), "LOCAL_RANK=" + std::to_string(rank),
          "MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + std::to_string(port), "ADAPT_DIST_TIMEOUT=" + timeout,
          "ADAPT_NUM_THREADS=1"};
}

// Runs the worker on `world` ranks (world 1: no distributed variables at all); expects success.
void run_workers(int64_t world, const std::vector<std::string>& args, const fs::path& dir) {
  const int port = free_tcp_port();
  std::vector<Proc> procs;
  for (int64_t r = 0; r < world; ++r)
    procs.push_back(spawn(ADAPT_DIST_WORKER, args, world == 1 ? std::vector<std::string>{"ADAPT_NUM_THREADS=1"} : rank_env(r, world, port),
                          dir, "rank" + std::to_string(r)));
  for (int64_t r = 0; r < world; ++r) {
    int code = wait_for(procs[static_cast<size_t>(r)], 120);
    ASSERT_EQ(code, 0) << "rank " << r << " stderr:\n" << slurp(procs[static_cast<size_t>(r)].err);
  }
}

torch::Tensor load_tensor(const fs::path& file) {
  torch::Tensor t;
  torch::load(t, file.string());
  return t;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

// --- sampler: the property that makes 2 x B equal to 1 x 2B ------------------------------------------
TEST(DistributedSampler, RanksTogetherFormTheSingleProcessBatch) {
  auto p = adapt::testing::tiny_problem(103, 3);
  std::vector<size_t> rows(100);
  std::iota(rows.begin(), rows.end(), size_t{0});
  for (bool drop_last : {true, false}) {
    auto base = DataLoaderOptions().seed(9).workers(0).drop_last(drop_last);
    DataLoader single(p.records, rows, p.blocks, {}, Split::train, DataLoaderOptions(base).batch_size(16));
    const size_t world = 2;
    std::vector<std::unique_ptr<DataLoader>> ranks;
    for (size_t r = 0; r < world; ++r)
      ranks.push_back(std::make_unique<DataLoader>(p.records, rows, p.blocks, std::vector<std::shared_ptr<const Transform>>{},
                                                   Split::train,
                                                   DataLoaderOptions(base).batch_size(8).rank(int64_t(r)).world_size(int64_t(world))));
    for (int64_t epoch : {0, 1}) {
      single.set_epoch(epoch);
      single.start_epoch();
      std::vector<std::vector<int64_t>> expected;
      while (auto b = single.next()) {
        auto rows_t = get(*b, "row");
        expected.emplace_back(rows_t.data_ptr<int64_t>(), rows_t.data_ptr<int64_t>() + rows_t.numel());
      }
      ASSERT_EQ(expected.size(), drop_last ? 6u : 7u);  // 100 rows, batch 16
      std::vector<std::vector<int64_t>> joined(expected.size());
      for (auto& dl : ranks) {
        EXPECT_EQ(dl->num_batches(), expected.size());
        dl->set_epoch(epoch);
        dl->start_epoch();
        size_t k = 0;
        while (auto b = dl->next()) {
          auto rows_t = get(*b, "row");
          ASSERT_LT(k, joined.size());
          joined[k].insert(joined[k].end(), rows_t.data_ptr<int64_t>(), rows_t.data_ptr<int64_t>() + rows_t.numel());
          ++k;
        }
        EXPECT_EQ(k, expected.size());
      }
      for (size_t k = 0; k + 1 < expected.size(); ++k) EXPECT_EQ(joined[k], expected[k]) << "batch " << k;
      // The short last batch (100 = 6 x 16 + 4) splits 2 + 2; full ones match exactly.
      EXPECT_EQ(joined.back(), expected.back());
    }
  }
}

TEST(DistributedSampler, ShortLastBatchIsPaddedFromTheEpochStart) {
  BatchPlan global = {{4, 1, 7, 0}, {2, 6, 3}};  // the last batch has 3 items for 2 ranks
  BatchPlan r0 = shard_plan(global, 2, 0), r1 = shard_plan(global, 2, 1);
  ASSERT_EQ(r0.size(), 2u);
  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(r0[0], (std::vector<size_t>{4, 1}));
  EXPECT_EQ(r1[0], (std::vector<size_t>{7, 0}));
  EXPECT_EQ(r0[1], (std::vector<size_t>{2, 6}));
  EXPECT_EQ(r1[1], (std::vector<size_t>{3, 4}));  // padded with the epoch's first item
  EXPECT_THROW(shard_plan(global, 2, 2), OptionError);
}

TEST(DistributedContext, SingleProcessHasNoGroupAndNoOps) {
  auto dist = DistributedContext::single();
  EXPECT_FALSE(dist->enabled());
  EXPECT_TRUE(dist->is_main());
  std::vector<torch::Tensor> t = {torch::ones({3})};
  dist->all_reduce_sum(t, "x");
  EXPECT_TRUE(torch::equal(t[0], torch::ones({3})));
  EXPECT_EQ(dist->broadcast(2.5, "x"), 2.5);
  EXPECT_EQ(dist->all_gather(torch::ones({2, 1}), "x").size(), 1u);
}

TEST(DistributedContext, EnvironmentErrorsNameTheVariable) {
  ::setenv("RANK", "3", 1);
  ::setenv("WORLD_SIZE", "2", 1);
  try {
    DistributedEnv::from_env();
    ADD_FAILURE() << "RANK 3 of 2 accepted";
  } catch (const OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("RANK"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'3'"), std::string::npos) << e.what();
  }
  ::unsetenv("WORLD_SIZE");
  EXPECT_THROW(DistributedEnv::from_env(), OptionError);  // RANK without WORLD_SIZE
  ::unsetenv("RANK");
  EXPECT_EQ(DistributedEnv::from_env().world_size, 1);
}

// --- two real processes ----------------------------------------------------------------------------
TEST(Distributed, CollectivesBetweenTwoProcesses) {
  TempDir dir("dist-coll");
  run_workers(2, {"collectives", "out=" + dir.path.string()}, dir.path);
  for (int r = 0; r < 2; ++r) {
    json j = read_json_file(dir.path / ("rank" + std::to_string(r) + ".json"));
    EXPECT_EQ(j["sum_float"], json({3.0, 30.0}));
    EXPECT_EQ(j["sum_int"], json({2.0}));
    EXPECT_EQ(j["broadcast"][0], json({0.0, 1.0, 2.0, 3.0, 4.0, 5.0}));
    EXPECT_EQ(j["broadcast"][1], json({0.0, 0.0, 0.0, 0.0}));
    EXPECT_EQ(j["broadcast"][2], json({7.0, 7.0, 7.0}));
    EXPECT_EQ(j["broadcast_scalar"], 0.125);
    EXPECT_EQ(j["gathered"], json({{0.0, 0.0}, {1.0, 1.0, 1.0, 1.0}}));
    // Rows 0 (rank 0, x1), 1 (rank 1, x2) and 5 (both): averaged over 2 ranks; still sparse.
    EXPECT_TRUE(j["sparse_is_sparse"].get<bool>());
    std::vector<double> expected(8 * 3, 0.0);
    for (int c = 0; c < 3; ++c) {
      expected[0 * 3 + c] = 0.5;
      expected[1 * 3 + c] = 1.0;
      expected[5 * 3 + c] = 1.5;
    }
    EXPECT_EQ(j["sparse_grad"].get<std::vector<double>>(), expected);
    EXPECT_EQ(j["only_rank0_grad"], json({2.0, 2.0}));  // 4 on rank 0, missing (zero) on rank 1
    EXPECT_EQ(j["shared_grad"], json({1.5, 1.5}));
  }
}

// Two ranks with batch B and one with 2B take the same steps on the same items: the same weights.
class Equivalence : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(Equivalence, TwoRanksMatchOneRankWithTwiceTheBatch) {
  const auto& [model, optimizer] = GetParam();
  TempDir one("dist-eq1"), two("dist-eq2");
  std::vector<std::string> common = {"train", "epochs=3", "model=" + model, "optimizer=" + optimizer};
  auto args = [&](const fs::path& out, int batch) {
    auto a = common;
    a.push_back("out=" + out.string());
    a.push_back("batch=" + std::to_string(batch));
    return a;
  };
  run_workers(1, args(one.path, 32), one.path);
  run_workers(2, args(two.path, 16), two.path);
  json r1 = read_json_file(one.path / "result.json"), r2 = read_json_file(two.path / "result.json");
  EXPECT_EQ(r1["batches_per_epoch"], 8);  // 256 rows / 32: 24 optimizer steps in 3 epochs
  EXPECT_EQ(r2["batches_per_epoch"], 8);
  EXPECT_EQ(r2["sync_steps"], 24);
  torch::Tensor w1 = load_tensor(one.path / "weights.pt"), w2 = load_tensor(two.path / "weights.pt");
  torch::Tensor init = load_tensor(one.path / "init.pt");
  EXPECT_GT(max_abs_diff(w1, init), 1e-2) << "training did not move the weights; the comparison would be vacuous";
  EXPECT_LT(max_abs_diff(w1, w2), 1e-5);
  // The training loss in the history is the mean over both ranks' items.
  for (size_t e = 0; e < 3; ++e)
    EXPECT_NEAR(r1["history"][e]["train_loss"].get<double>(), r2["history"][e]["train_loss"].get<double>(), 1e-5);
  EXPECT_NEAR(r1["history"][2]["valid_loss"].get<double>(), r2["history"][2]["valid_loss"].get<double>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Models, Equivalence,
                         ::testing::Values(std::make_pair(std::string("mlp"), std::string("sgd")),
                                           std::make_pair(std::string("mlp"), std::string("adamw")),
                                           std::make_pair(std::string("embedding"), std::string("adamw"))),
                         [](const auto& info) { return info.param.first + "_" + info.param.second; });

// --- faults ------------------------------------------------------------------------------------------
namespace {

// Rank 1 dies (or hangs) at step 5; rank 0 must exit with a clear error within `limit` seconds.
void expect_rank0_fails(const std::string& how, const std::string& timeout, double limit) {
  TempDir dir("dist-dead-" + how);
  const int port = free_tcp_port();
  std::vector<std::string> args = {"train", "out=" + dir.path.string(), "epochs=50", "die_rank=1", "die_step=5",
                                   "die_how=" + how};
  Proc r0 = spawn(ADAPT_DIST_WORKER, args, rank_env(0, 2, port, timeout), dir.path, "rank0");
  Proc r1 = spawn(ADAPT_DIST_WORKER, args, rank_env(1, 2, port, timeout), dir.path, "rank1");
  auto start = Clock::now();
  int code = wait_for(r0, limit + 30);
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ::kill(r1.pid, SIGKILL);
  wait_for(r1, 10);
  std::string err = slurp(r0.err);
  EXPECT_EQ(code, 1) << err;
  EXPECT_LT(elapsed, limit) << err;
  EXPECT_NE(err.find("failed on rank 0 of 2"), std::string::npos) << err;
  EXPECT_NE(err.find("Another rank probably exited or stopped responding"), std::string::npos) << err;
  if (how == "exit") {
    EXPECT_NE(slurp(r1.err).find("exit at step 5"), std::string::npos);
  }
}

}  // namespace

TEST(DistributedFaults, DeadRankStopsTheOtherQuickly) { expect_rank0_fails("exit", "30", 15.0); }

TEST(DistributedFaults, HungRankTimesOut) {
  // No connection drops here: only the collective timeout (3 s) can end rank 0's wait.
  expect_rank0_fails("hang", "3", 15.0);
}

TEST(DistributedFaults, LauncherStopsTheOthersAndNamesTheRank) {
  TempDir dir("dist-launch");
  std::ostringstream err;
  LaunchOptions options;
  options.nproc = 2;
  options.err = &err;
  options.kill_grace_seconds = 2;
  ::setenv("ADAPT_DIST_TIMEOUT", "3", 1);  // the workers inherit the launcher's environment
  auto start = Clock::now();
  try {
    launch_local_workers(ADAPT_DIST_WORKER,
                         {"adapt_dist_worker", "train", "out=" + dir.path.string(), "epochs=50", "die_rank=1",
                          "die_step=3", "die_how=hang"},
                         options);
    ADD_FAILURE() << "the launcher reported success";
  } catch (const Error& e) {
    std::string what = e.what();
    // Rank 0 times out first (its collective fails), then the launcher takes rank 1 down.
    EXPECT_NE(what.find("worker rank"), std::string::npos) << what;
    EXPECT_NE(what.find("exited with status 1"), std::string::npos) << what;
    EXPECT_NE(err.str().find("stopping the other 1 worker(s)"), std::string::npos) << err.str();
  }
  ::unsetenv("ADAPT_DIST_TIMEOUT");
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 20.0);
}

TEST(DistributedFaults, LauncherSucceedsWhenEveryWorkerDoes) {
  TempDir dir("dist-launch-ok");
  LaunchOptions options;
  options.nproc = 2;
  EXPECT_EQ(launch_local_workers(ADAPT_DIST_WORKER, {"adapt_dist_worker", "collectives", "out=" + dir.path.string()}, options), 0);
  EXPECT_TRUE(fs::exists(dir.path / "rank0.json"));
  EXPECT_TRUE(fs::exists(dir.path / "rank1.json"));
}

// --- resume with a different number of processes ----------------------------------------------------
TEST(DistributedResume, TwoRanksCheckpointOneRankFinishes) {
  TempDir interrupted("dist-res2"), resumed("dist-res1"), straight("dist-res-ref");
  // 2 ranks x 16, a 4-epoch one-cycle plan stopped after epoch 2 (checkpoint every epoch).
  run_workers(2, {"train", "out=" + interrupted.path.string(), "epochs=4", "batch=16", "optimizer=adamw",
                  "stop_after=2", "checkpoint=1"},
              interrupted.path);
  ASSERT_TRUE(fs::exists(interrupted.path / "checkpoint.pt"));
  // 1 rank x 32 continues the same plan from that checkpoint.
  run_workers(1, {"train", "out=" + resumed.path.string(), "epochs=4", "batch=32", "optimizer=adamw",
                  "resume=" + (interrupted.path / "checkpoint.pt").string()},
              resumed.path);
  run_workers(1, {"train", "out=" + straight.path.string(), "epochs=4", "batch=32", "optimizer=adamw"}, straight.path);
  json r = read_json_file(resumed.path / "result.json");
  EXPECT_EQ(r["start_epoch"], 2);
  EXPECT_EQ(r["history"].size(), 4u);  // the checkpoint's two epochs plus the two run now
  torch::Tensor a = load_tensor(resumed.path / "weights.pt"), b = load_tensor(straight.path / "weights.pt");
  EXPECT_GT(max_abs_diff(load_tensor(interrupted.path / "weights.pt"), b), 1e-4) << "the interrupted run is not done yet";
  EXPECT_LT(max_abs_diff(a, b), 1e-5);
}

// --- the adapt program -------------------------------------------------------------------------------
#ifdef ADAPT_CLI
TEST(DistributedCli, NprocTwoMatchesOneProcessAndOnlyRankZeroWrites) {
  TempDir dir("dist-cli");
  json recipe = adapt::testing::rings_recipe(dir.path, 1200, 3);
  recipe["model"] = {{"name", "core.mlp"}, {"layers", {32}}, {"batchnorm", false}};
  recipe["loader"] = {{"batch_size", 64}, {"workers", 0}};
  recipe.erase("baselines");
  adapt::testing::write_file(dir.path / "recipe.json", recipe.dump(2));
  auto run = [&](std::vector<std::string> args, const std::string& tag) {
    Proc p = spawn(ADAPT_CLI, args, {}, dir.path, tag);
    int code = wait_for(p, 120);
    EXPECT_EQ(code, 0) << slurp(p.err);
    return p;
  };
  const std::string recipe_file = (dir.path / "recipe.json").string();
  Proc one = run({"--json", "train", recipe_file, "--out", (dir.path / "one").string()}, "one");
  Proc two = run({"--json", "train", recipe_file, "--out", (dir.path / "two").string(), "--nproc", "2"}, "two");
  json m1 = json::parse(slurp(one.out)), m2 = json::parse(slurp(two.out));  // one JSON document: rank 0 only
  EXPECT_NEAR(m1["metrics"]["valid"]["loss"].get<double>(), m2["metrics"]["valid"]["loss"].get<double>(), 1e-5);
  EXPECT_EQ(m1["metrics"]["valid"]["accuracy"], m2["metrics"]["valid"]["accuracy"]);
  EXPECT_TRUE(fs::exists(dir.path / "two" / "model.adapt"));
  json record = read_json_file(dir.path / "two" / "run.json");
  EXPECT_EQ(record["distributed"]["world_size"], 2);
  EXPECT_EQ(record["distributed"]["batch_size_per_rank"], 32);
  EXPECT_EQ(record["recipe"]["loader"]["batch_size"], 64);  // the recipe keeps the global batch

  // A batch that does not divide over the processes is refused, by every rank, with the fix.
  recipe["loader"]["batch_size"] = 63;
  adapt::testing::write_file(dir.path / "odd.json", recipe.dump(2));
  Proc odd = spawn(ADAPT_CLI, {"train", (dir.path / "odd.json").string(), "--out", (dir.path / "odd").string(), "--nproc", "2"},
                   {}, dir.path, "odd");
  EXPECT_EQ(wait_for(odd, 60), 1);
  std::string err = slurp(odd.err);
  EXPECT_NE(err.find("loader.batch_size: 63 is the global batch"), std::string::npos) << err;
  EXPECT_NE(err.find("worker rank"), std::string::npos) << err;
}
#endif
