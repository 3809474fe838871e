#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

#include "adapt/common/threads.h"
#include "adapt/train/callbacks.h"
#include "adapt/train/checkpoint.h"
#include "adapt/train/interrupt.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"

using namespace adapt;
using namespace adapt::testing;

namespace {
// A model with dropout (draws from the torch RNG) and batch norm (running buffers), so resume must
// restore the RNG state and buffers as well as weights and optimizer moments.
std::shared_ptr<Learner> resumable_learner(const TinyProblem& p, uint64_t init_seed) {
  auto model = tiny_mlp(p, {16, 8}, /*batchnorm=*/true, /*dropout=*/0.2, init_seed);
  return tiny_learner(p, model, tiny_loaders(p, 32, /*shuffle=*/true, /*workers=*/1));
}
}  // namespace

TEST(Checkpoint, ResumedRunEndsWithTheSameWeightsBitForBit) {
  int threads = num_threads();
  set_num_threads(1);
  TempDir dir("resume");
  auto p = tiny_problem(400, 100);

  // Uninterrupted: 4 epochs of one-cycle.
  torch::manual_seed(123);
  auto full = resumable_learner(p, 1);
  full->fit_one_cycle(4, 1e-2);
  auto expected = weights_of(full->model());

  // Interrupted after epoch 2 (index 1), with a checkpoint written at the end of every epoch.
  torch::manual_seed(123);
  auto first = resumable_learner(p, 1);
  first->add_callback(std::make_shared<CheckpointCallback>(dir.path, 1));
  auto interrupt = std::make_shared<LambdaCallback>("interrupt", 90);
  interrupt->on_after_epoch([](Learner& l) {
    if (l.epoch() == 1) l.stop("simulated interruption");
  });
  first->add_callback(interrupt);
  first->fit_one_cycle(4, 1e-2);
  ASSERT_EQ(first->recorder().history().size(), 2u);
  EXPECT_FALSE(bit_equal(weights_of(first->model()), expected));

  // A new process would build everything again, with a different initialisation and RNG state.
  torch::manual_seed(999);
  auto resumed = resumable_learner(p, 77);
  resumed->load_checkpoint(dir.path / "checkpoint.pt");
  EXPECT_EQ(resumed->start_epoch(), 2);
  resumed->fit_one_cycle(4, 1e-2);
  EXPECT_TRUE(bit_equal(weights_of(resumed->model()), expected));
  // History continues from the checkpoint: 4 epochs in all.
  EXPECT_EQ(resumed->recorder().history().size(), 4u);
  EXPECT_DOUBLE_EQ(resumed->recorder().history()[3]["valid_loss"].get<double>(),
                   full->recorder().history()[3]["valid_loss"].get<double>());
  set_num_threads(threads);
}

TEST(Checkpoint, RefusesADifferentDataPlan) {
  TempDir dir("ckpt_plan");
  auto p = tiny_problem(400, 100);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p, 32));
  learner->fit(1, 1e-3);
  learner->save_checkpoint(dir.path / "c.pt");
  auto other = tiny_learner(p, tiny_mlp(p), tiny_loaders(p, 16));
  try {
    other->load_checkpoint(dir.path / "c.pt");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("batches per epoch"), std::string::npos) << e.what();
  }
}

TEST(Checkpoint, WeightsRoundTripAndShapeMismatchIsNamed) {
  TempDir dir("weights");
  auto p = tiny_problem(200, 50);
  auto a = tiny_learner(p, tiny_mlp(p, {16}, false, 0, 1), tiny_loaders(p));
  auto b = tiny_learner(p, tiny_mlp(p, {16}, false, 0, 2), tiny_loaders(p));
  ASSERT_FALSE(bit_equal(weights_of(a->model()), weights_of(b->model())));
  a->save_weights(dir.path / "w.pt");
  b->load_weights(dir.path / "w.pt");
  EXPECT_TRUE(bit_equal(weights_of(a->model()), weights_of(b->model())));

  auto wide = tiny_learner(p, tiny_mlp(p, {32}), tiny_loaders(p));
  try {
    wide->load_weights(dir.path / "w.pt");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("hidden0.0.weight"), std::string::npos) << m;
    EXPECT_NE(m.find("[16, 2]"), std::string::npos) << m;
  }
  EXPECT_THROW(b->load_weights(dir.path / "missing.pt"), Error);
}

TEST(Checkpoint, JsonRoundTripKeepsBinary) {
  TempDir dir("json");
  json value = {{"name", "tokenizer"}, {"bytes", json::binary({0, 1, 2, 255})}, {"n", 3}};
  torch::serialize::OutputArchive out;
  write_json(out, "meta", value);
  save_archive(out, dir.path / "a.pt");
  torch::serialize::InputArchive in;
  load_archive(in, dir.path / "a.pt", "test archive");
  EXPECT_EQ(read_json(in, "meta", "test archive"), value);
  EXPECT_THROW(read_json(in, "absent", "test archive"), Error);

  write_file(dir.path / "garbage.pt", "not a zip file");
  torch::serialize::InputArchive bad;
  EXPECT_THROW(load_archive(bad, dir.path / "garbage.pt", "test archive"), Error);
}

// LibTorch's own file writer threw again from its destructor when the disk filled, aborting the
// process (exit 134) with a partial temporary left. A size limit (RLIMIT_FSIZE, no root needed)
// fails the write the same way: now an Error, no temporary, the previous file intact.
TEST(Checkpoint, ASaveThatHitsAFullDiskIsAnErrorNotAnAbort) {
  TempDir dir("checkpoint_full");
  const auto file = dir.path / "checkpoint.pt";
  torch::serialize::OutputArchive small;
  small.write("w", torch::ones({4}));
  save_archive(small, file);
  torch::serialize::OutputArchive big;
  big.write("w", torch::ones({1 << 18}));  // 1 MB
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 64 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  std::string message;
  try {
    save_archive(big, file);
  } catch (const Error& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(message.find("cannot write " + file.string()), std::string::npos) << message;
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u) << "a temporary was left behind";
  torch::serialize::InputArchive in;
  load_archive(in, file, "checkpoint");  // the old file, whole and sealed
  torch::Tensor w;
  in.read("w", w);
  EXPECT_EQ(w.numel(), 4);
}

// Ctrl-C (train/interrupt.h) mid-epoch: the fit stops after the current batch, writes its interrupt
// checkpoint with that epoch unfinished and throws Interrupted; the checkpoint resumes that epoch.
TEST(Checkpoint, AnInterruptMidEpochWritesACheckpointThatResumesTheEpoch) {
  TempDir dir("interrupt");
  auto p = tiny_problem(400, 100);
  auto learner = resumable_learner(p, 1);
  const auto file = dir.path / "checkpoint.pt";
  learner->set_interrupt_checkpoint(file);
  auto ctrl_c = std::make_shared<LambdaCallback>("ctrl_c", 90);
  ctrl_c->on_after_batch([](Learner& l) {
    if (l.epoch() == 1 && l.iteration() == 2) request_interrupt();
  });
  learner->add_callback(ctrl_c);
  EXPECT_THROW_WITH(learner->fit_one_cycle(4, 1e-2), Interrupted, "interrupted in epoch 2 of 4 after batch 3",
                    file.string(), "starts again");
  EXPECT_FALSE(interrupt_requested());  // handled: the next fit is not interrupted
  ASSERT_TRUE(std::filesystem::exists(file));

  auto resumed = resumable_learner(p, 77);
  resumed->load_checkpoint(file);
  EXPECT_EQ(resumed->start_epoch(), 1);
  resumed->fit_one_cycle(4, 1e-2);
  EXPECT_EQ(resumed->recorder().history().size(), 4u);
}

// Without an interrupt checkpoint the fit still stops, and says that nothing was written.
TEST(Checkpoint, AnInterruptWithoutACheckpointFileSaysSo) {
  auto p = tiny_problem(200, 50);
  auto learner = resumable_learner(p, 1);
  auto ctrl_c = std::make_shared<LambdaCallback>("ctrl_c", 90);
  ctrl_c->on_after_batch([](Learner&) { request_interrupt(); });
  learner->add_callback(ctrl_c);
  EXPECT_THROW_WITH(learner->fit(2, 1e-2), Interrupted, "no checkpoint written");
}
