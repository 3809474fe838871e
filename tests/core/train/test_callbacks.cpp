#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "adapt/train/callbacks.h"
#include "core/support/learner_fixtures.h"
#include "adapt/model/mlp_model.h"

using namespace adapt;
using namespace adapt::testing;

TEST(Callbacks, DocumentedOrder) {
  EXPECT_LT(callback_order::schedule, callback_order::terminate_on_nan);
  EXPECT_LT(callback_order::terminate_on_nan, callback_order::recorder);
  EXPECT_LT(callback_order::recorder, callback_order::progress);
  EXPECT_LT(callback_order::progress, callback_order::early_stopping);
  EXPECT_LT(callback_order::early_stopping, callback_order::save_best);
  EXPECT_LT(callback_order::save_best, callback_order::checkpoint);
}

TEST(Callbacks, RunInAscendingOrderWhateverTheAddOrder) {
  auto p = tiny_problem(200, 50);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  std::vector<std::string> calls;
  auto late = std::make_shared<LambdaCallback>("late", 90);
  late->on_after_epoch([&](Learner&) { calls.push_back("late"); });
  auto early = std::make_shared<LambdaCallback>("early", 40);
  early->on_after_epoch([&](Learner& l) {
    // Before the recorder (50): this epoch's row is not there yet.
    calls.push_back("early:" + std::to_string(l.recorder().history().size()));
  });
  auto mid = std::make_shared<LambdaCallback>("mid", 55);
  mid->on_after_epoch([&](Learner& l) { calls.push_back("mid:" + std::to_string(l.recorder().history().size())); });
  learner->add_callback(late);
  learner->add_callback(mid);
  learner->add_callback(early);
  learner->fit(1, 1e-3);
  EXPECT_EQ(calls, (std::vector<std::string>{"early:0", "mid:1", "late"}));
  EXPECT_NE(learner->callback("recorder"), nullptr);
  learner->remove_callback("late");
  EXPECT_EQ(learner->callback("late"), nullptr);
}

TEST(Callbacks, EarlyStoppingStops) {
  auto p = tiny_problem(200, 50);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  MonitorOptions monitor;
  monitor.min_delta = 1.0;  // nothing improves by a whole unit of loss after the first epoch
  learner->add_callback(std::make_shared<EarlyStopping>(monitor, 2));
  learner->fit(10, 1e-3);
  EXPECT_EQ(learner->recorder().history().size(), 3u);  // best at epoch 0, then 2 epochs of patience
  EXPECT_TRUE(learner->stopped());
  EXPECT_NE(learner->stop_reason().find("valid_loss did not improve for 2 epochs"), std::string::npos)
      << learner->stop_reason();
}

TEST(Callbacks, EarlyStoppingOnAMetricUsesItsDirection) {
  auto p = tiny_problem(200, 50);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  MonitorOptions monitor;
  monitor.monitor = "accuracy";
  auto es = std::make_shared<EarlyStopping>(monitor, 100);
  learner->add_callback(es);
  learner->fit_one_cycle(3, 1e-2);
  auto acc = learner->recorder().column("accuracy");
  EXPECT_DOUBLE_EQ(es->best(), *std::max_element(acc.begin(), acc.end()));  // max, not min

  monitor.monitor = "no_such_metric";
  learner->add_callback(std::make_shared<EarlyStopping>(monitor, 2));
  try {
    learner->fit(1, 1e-3);
    FAIL() << "expected an OptionError";
  } catch (const OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_metric"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("accuracy"), std::string::npos);  // lists what is recorded
  }
}

namespace {
// Wraps a model and returns NaN from the forward pass at one training batch.
class NaNAt : public Model {
 public:
  NaNAt(std::shared_ptr<Model> inner, int64_t epoch, int64_t batch) : inner_(inner), epoch_(epoch), batch_(batch) {
    register_module("inner", inner_);
  }
  torch::Tensor forward(const Batch& batch) override {
    auto out = inner_->forward(batch);
    if (is_training() && learner && learner->epoch() == epoch_ && learner->iteration() == batch_)
      out = out * std::numeric_limits<float>::quiet_NaN();
    return out;
  }
  Learner* learner = nullptr;

 private:
  std::shared_ptr<Model> inner_;
  int64_t epoch_, batch_;
};
}  // namespace

TEST(Callbacks, TerminateOnNaNStopsWithEpochAndBatch) {
  auto p = tiny_problem(200, 50);
  auto model = std::make_shared<NaNAt>(tiny_mlp(p), 1, 2);
  auto learner = tiny_learner(p, model, tiny_loaders(p));
  model->learner = learner.get();
  auto before_nan = weights_of(*model);
  try {
    learner->fit(5, 1e-3);
    FAIL() << "expected the fit to stop with an error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("NaN"), std::string::npos) << message;
    EXPECT_NE(message.find("epoch 1, batch 2"), std::string::npos) << message;
  }
  // No step was taken with the NaN loss and no further epochs ran.
  for (const auto& t : model->parameters()) EXPECT_TRUE(torch::isfinite(t).all().item<bool>());
  EXPECT_EQ(learner->recorder().history().size(), 1u);
}

TEST(Callbacks, RecorderWritesHistoryCsvAndJson) {
  TempDir dir("recorder");
  auto p = tiny_problem(200, 50);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p), LearnerOptions().out_dir(dir.path));
  learner->fit(2, 1e-3);
  std::ifstream csv(dir.path / "history.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header, "epoch,train_loss,valid_loss,accuracy,time,train_time,data_wait_pct");
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 2);
  std::ifstream js(dir.path / "history.json");
  json history = json::parse(js);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1]["epoch"], 1);
  EXPECT_GE(history[1]["data_wait_pct"].get<double>(), 0.0);
  // Per-batch records: one per training batch.
  EXPECT_EQ(learner->recorder().losses().size(), static_cast<size_t>(learner->total_steps()));
}

TEST(Callbacks, RecorderTrainTimeLeavesValidationOut) {
  auto p = tiny_problem(200, 50);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  // After validation, before the recorder (50) writes the row: part of the epoch, not of its loop.
  auto pause = std::make_shared<LambdaCallback>("pause", 40);
  pause->on_after_epoch([](Learner&) { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
  learner->add_callback(pause);
  learner->fit(2, 1e-3);
  for (const auto& row : learner->recorder().history()) {
    const double time = row["time"], train_time = row["train_time"];
    EXPECT_GT(train_time, 0.0);
    EXPECT_GE(time - train_time, 0.2) << "the 200 ms after the loop must count in time only";
  }
}

TEST(Callbacks, ProgressPrintsThePerEpochTable) {
  auto p = tiny_problem(200, 50);
  std::ostringstream out;
  auto options = LearnerOptions().out(&out);
  options.progress(true);
  auto learner = std::make_shared<Learner>(tiny_mlp(p), p.blocks, tiny_loaders(p), make_loss("cross_entropy"),
                                           std::vector<std::shared_ptr<Metric>>{std::make_shared<Accuracy>()}, options);
  learner->fit(3, 1e-3);
  std::string text = out.str();
  EXPECT_NE(text.find("train_loss"), std::string::npos);
  EXPECT_NE(text.find("valid_loss"), std::string::npos);
  EXPECT_NE(text.find("accuracy"), std::string::npos);
  EXPECT_NE(text.find("data_wait"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);  // header + 3 epochs, no live bar in a stream
  EXPECT_EQ(text.find('\r'), std::string::npos);
  // These epochs take milliseconds: their time column says how many, not "00:00".
  EXPECT_EQ(text.find("00:00"), std::string::npos) << text;
  EXPECT_TRUE(std::regex_search(text, std::regex(" 0\\.[0-9]{3}s\n"))) << text;
}

TEST(Callbacks, DurationsShowSubSecondTimes) {
  EXPECT_EQ(format_duration(0.0), "0.000s");
  EXPECT_EQ(format_duration(0.0424), "0.042s");
  EXPECT_EQ(format_duration(0.9994), "0.999s");
  EXPECT_EQ(format_duration(1.0), "1.0s");
  EXPECT_EQ(format_duration(12.34), "12.3s");
  EXPECT_EQ(format_duration(59.9), "59.9s");
  EXPECT_EQ(format_duration(60.0), "01:00");
  EXPECT_EQ(format_duration(205.0), "03:25");
  EXPECT_EQ(format_duration(3723.0), "1:02:03");
  EXPECT_EQ(format_duration(-1.0), "0.000s");
  EXPECT_EQ(format_duration(std::nan("")), "0.000s");
}

TEST(Callbacks, EtaCoversTheWholeFit) {
  // 10 s into a 5-epoch fit, halfway through epoch 1 (0-based): 1.5 epochs done, 3.5 to go.
  EXPECT_NEAR(fit_eta(10.0, 0, 1, 5, 50, 100), 10.0 / 1.5 * 3.5, 1e-9);
  // The last batch of the last epoch: nothing left.
  EXPECT_NEAR(fit_eta(30.0, 0, 4, 5, 100, 100), 0.0, 1e-9);
  // Resumed at epoch 3 of 5: 4 s for half of epoch 3 means 4 s for the other half and 8 s for epoch 4.
  EXPECT_NEAR(fit_eta(4.0, 3, 3, 5, 10, 20), 12.0, 1e-9);
  // Nothing done yet: no estimate rather than a division by zero.
  EXPECT_EQ(fit_eta(0.0, 0, 0, 5, 0, 100), 0.0);
  EXPECT_EQ(fit_eta(1.0, 0, 0, 0, 0, 0), 0.0);
}

TEST(Callbacks, SaveBestKeepsAndReloadsTheBestEpoch) {
  TempDir dir("save_best");
  auto p = tiny_problem(200, 50);
  auto model = tiny_mlp(p);
  auto learner = tiny_learner(p, model, tiny_loaders(p));
  std::vector<std::vector<torch::Tensor>> per_epoch;
  auto snap = std::make_shared<LambdaCallback>("snap", 60);
  snap->on_after_epoch([&](Learner& l) { per_epoch.push_back(weights_of(l.model())); });
  learner->add_callback(snap);
  auto save_best = std::make_shared<SaveBest>(dir.path / "best.pt");
  learner->add_callback(save_best);
  learner->fit(4, 5e-2);
  ASSERT_TRUE(std::filesystem::exists(dir.path / "best.pt"));
  auto losses = learner->recorder().column("valid_loss");
  auto best = std::min_element(losses.begin(), losses.end()) - losses.begin();
  EXPECT_EQ(save_best->best_epoch(), best);
  EXPECT_TRUE(bit_equal(weights_of(*model), per_epoch[static_cast<size_t>(best)]));
}

TEST(Callbacks, CheckpointEveryNEpochs) {
  TempDir dir("ckpt_every");
  auto p = tiny_problem(200, 50);
  auto learner = tiny_learner(p, tiny_mlp(p), tiny_loaders(p));
  auto ckpt = std::make_shared<CheckpointCallback>(dir.path, 2);
  learner->add_callback(ckpt);
  int64_t written = 0;
  auto watch = std::make_shared<LambdaCallback>("watch", 90);
  watch->on_after_epoch([&](Learner&) { written += std::filesystem::exists(ckpt->file()); });
  learner->add_callback(watch);
  learner->fit(3, 1e-3);
  EXPECT_EQ(written, 2);  // not after epoch 0; after epoch 1 (and still there after 2)
}
