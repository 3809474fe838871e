// lstm_training against torch::lstm on a packed sequence, the computation it stands in for when a
// text model trains: the output and every gradient (x and each weight of both directions), any row
// order, empty rows, a dropped-out recurrent weight, and a few optimizer steps of an AWD-LSTM.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <iostream>
#include <string>

#include "awd_lstm.h"
#include "lstm_training.h"
#include "test_lstm_support.h"

namespace adapt::text {
namespace {

using testing::packed_lstm;
using testing::random_weights;

// Relative to each tensor's largest magnitude. Measured: at most 6e-7 (hidden 5 and 9) and 2e-6
// (hidden 128) over these cases; sums run in another order, sigmoid and tanh come from a polynomial exp.
constexpr double tolerance = 1e-5;

using Lstm = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&, const std::vector<torch::Tensor>&,
                                         bool)>;

// The largest difference relative to the largest magnitude of the expected tensor.
double relative_error(const torch::Tensor& got, const torch::Tensor& expected) {
  const double scale = std::max(expected.abs().max().item<double>(), 1e-30);
  return (got - expected).abs().max().item<double>() / scale;
}

// The output, then the gradients by x and by each weight of sum(output * probe).
std::vector<torch::Tensor> output_and_gradients(const Lstm& lstm, const torch::Tensor& x, const torch::Tensor& lengths,
                                                const std::vector<torch::Tensor>& weights, bool bidirectional,
                                                const torch::Tensor& probe) {
  std::vector<torch::Tensor> inputs{x.detach().requires_grad_()};
  for (const auto& w : weights) inputs.push_back(w.detach().requires_grad_());
  const std::vector<torch::Tensor> w(inputs.begin() + 1, inputs.end());
  const auto out = lstm(inputs[0], lengths, w, bidirectional);
  auto result = torch::autograd::grad({(out * probe).sum()}, inputs);
  result.insert(result.begin(), out.detach());
  return result;
}

// Compares lstm_training (with `kernel`) with packed torch::lstm; returns the largest relative error.
double compare(const torch::Tensor& lengths, int64_t steps, int64_t in, int64_t hidden, bool bidirectional,
               LstmKernel kernel = LstmKernel::best) {
  auto x = torch::randn({lengths.size(0), steps, in});
  auto w = random_weights(in, hidden, bidirectional ? 2 : 1);
  auto probe = torch::randn({lengths.size(0), steps, hidden * (bidirectional ? 2 : 1)});
  const Lstm ours = [kernel](const auto& x, const auto& l, const auto& w, bool bi) {
    return lstm_training(x, l, w, bi, kernel);
  };
  const auto got = output_and_gradients(ours, x, lengths, w, bidirectional, probe);
  const auto expected = output_and_gradients(packed_lstm, x, lengths, w, bidirectional, probe);
  const char* names[] = {"output", "x", "w_ih", "w_hh", "b_ih", "b_hh"};
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double error = relative_error(got[i], expected[i]);
    worst = std::max(worst, error);
    EXPECT_LE(error, tolerance) << names[i < 2 ? i : 2 + (i - 2) % 4] << (i >= 6 ? " (reverse)" : "") << ", lengths "
                                << lengths << ", hidden " << hidden << ", bidirectional " << bidirectional;
  }
  return worst;
}

TEST(TextLstmTraining, OutputAndGradientsAgreeWithPackedTorchLstm) {
  torch::manual_seed(5);
  for (bool bidirectional : {false, true}) {
    // Unsorted, with two steps of padding past the longest row and a row of length 0; hidden 9 has 36
    // gates, one block of 32 in registers and a tail of 4; hidden 5 only the tail.
    const double small = compare(torch::tensor({5, 9, 0, 1, 9, 3}), 11, 6, 9, bidirectional);
    const double tail = compare(torch::tensor({4, 2}), 4, 3, 5, bidirectional);
    const double portable = compare(torch::tensor({3, 7, 0, 6}), 8, 6, 9, bidirectional, LstmKernel::portable);
    // The bench's size: embedding 128, hidden 128.
    const double real = compare(torch::tensor({17, 30, 4, 22, 30, 9}), 32, 128, 128, bidirectional);
    std::cout << "bidirectional " << bidirectional << ": worst relative error " << small << " (hidden 9), " << tail
              << " (hidden 5), " << portable << " (portable), " << real << " (hidden 128)\n";
  }
}

// Rows are dealt to threads by length; each row's arithmetic is the same on any thread.
TEST(TextLstmTraining, SameResultOnOneThreadAndOnSeveral) {
  torch::manual_seed(4);
  const int before = at::get_num_threads();
  const auto x = torch::randn({7, 9, 5});
  const auto lengths = torch::tensor({9, 1, 4, 0, 8, 9, 3});
  const auto w = random_weights(5, 6, 2);
  const auto probe = torch::randn({7, 9, 12});
  const Lstm ours = [](const auto& x, const auto& l, const auto& w, bool bi) { return lstm_training(x, l, w, bi); };
  at::set_num_threads(1);
  const auto serial = output_and_gradients(ours, x, lengths, w, true, probe);
  at::set_num_threads(3);
  const auto spread = output_and_gradients(ours, x, lengths, w, true, probe);
  at::set_num_threads(before);
  EXPECT_TRUE(torch::equal(serial[0], spread[0]));
  for (size_t i = 1; i < serial.size(); ++i) EXPECT_LE(relative_error(spread[i], serial[i]), 1e-6) << i;
}

// The backward keeps its own copy of each h: a caller may change the output in place.
TEST(TextLstmTraining, OutputMayChangeInPlace) {
  torch::manual_seed(11);
  const auto x = torch::randn({2, 5, 3});
  const auto lengths = torch::tensor({5, 3});
  auto w = random_weights(3, 4, 2);
  for (auto& t : w) t.requires_grad_();
  auto ours = lstm_training(x, lengths, w, true);
  ours.mul_(2.0);
  auto expected = packed_lstm(x, lengths, w, true) * 2.0;
  const auto got = torch::autograd::grad({ours.pow(2).sum()}, {w[1]});
  EXPECT_LE(relative_error(got[0], torch::autograd::grad({expected.pow(2).sum()}, {w[1]})[0]), tolerance);
}

TEST(TextLstmTraining, EmptyRowsGiveZerosAndNoGradient) {
  torch::manual_seed(6);
  auto x = torch::randn({3, 4, 2}).requires_grad_();
  auto w = random_weights(2, 3, 2);
  for (auto& t : w) t.requires_grad_();
  auto out = lstm_training(x, torch::tensor({0, 4, 0}), w, true);
  EXPECT_EQ(out.index_select(0, torch::tensor({0, 2})).abs().max().item<float>(), 0.0f);
  auto grads = torch::autograd::grad({out.pow(2).sum()}, {x, w[0]});
  EXPECT_EQ(grads[0].index_select(0, torch::tensor({0, 2})).abs().max().item<float>(), 0.0f);
  EXPECT_GT(grads[0][1].abs().max().item<float>(), 0.0f);
  // No real step at all: zeros out, zero gradients, no error.
  out = lstm_training(x, torch::tensor({0, 0, 0}), w, true);
  EXPECT_EQ(out.abs().max().item<float>(), 0.0f);
  grads = torch::autograd::grad({out.sum()}, {x, w[1]});
  EXPECT_EQ(grads[0].abs().max().item<float>(), 0.0f);
  EXPECT_EQ(grads[1].abs().max().item<float>(), 0.0f);
}

// WeightDropLstm trains a float layer on a padded batch through lstm_training, with its recurrent
// weights dropped out anew each forward: w_hh is then not a leaf, and its gradient must reach the
// parameter.
TEST(TextLstmTraining, WeightDropLstmTrainsThroughItWithDroppedOutRecurrentWeights) {
  torch::manual_seed(7);
  WeightDropLstm layer(4, 9, /*bidirectional=*/true, /*weight_p=*/0.5);
  layer->train();
  const auto x = torch::randn({3, 6, 4});
  const auto lengths = torch::tensor({6, 2, 5});
  torch::manual_seed(70);
  const auto out = layer->forward(x, lengths);
  EXPECT_NE(out.grad_fn()->name().find("LstmFunction"), std::string::npos) << out.grad_fn()->name();
  const auto params = layer->parameters();  // per direction: w_ih, w_hh, b_ih, b_hh
  torch::manual_seed(70);  // the layer's masks again: w_hh, then w_hh_reverse
  auto w = params;
  for (size_t i : {1, 5}) w[i] = torch::dropout(params[i], 0.5, /*train=*/true);
  const auto expected = packed_lstm(x, lengths, w, true);
  EXPECT_LE(relative_error(out, expected), tolerance);
  const auto ours = torch::autograd::grad({out.pow(2).sum()}, params);
  const auto theirs = torch::autograd::grad({expected.pow(2).sum()}, params);
  for (size_t i = 0; i < params.size(); ++i) EXPECT_LE(relative_error(ours[i], theirs[i]), tolerance) << "weight " << i;
  EXPECT_GT(ours[1].abs().max().item<float>(), 0.0f);
  // A batch without padding keeps torch::lstm.
  const auto full = layer->forward(x, torch::tensor({6, 6, 6}));
  EXPECT_EQ(full.grad_fn()->name().find("LstmFunction"), std::string::npos) << full.grad_fn()->name();
}

// A small bidirectional classifier with weight drop, trained for a few steps: the float model runs
// lstm_training, the same model in double runs torch::lstm (WeightDropLstm keeps it for other types).
// Measured: the losses differ by at most 2e-6 (float torch::lstm: 4e-6 from the same double run).
TEST(TextLstmTraining, AwdLstmClassifierLossCurveMatchesTorchLstm) {
  AwdLstmOptions encoder;
  encoder.vocab_size = 40;
  encoder.emb_size = 16;
  encoder.hidden_size = 18;  // two layers: 9 per direction, then 8
  encoder.n_layers = 2;
  encoder.bidirectional = true;
  encoder.embed_p = encoder.input_p = encoder.hidden_p = 0.0;
  encoder.weight_p = 0.5;
  ClassifierHeadOptions head;
  head.output_p = head.hidden_p = 0.0;
  const auto make = [&](torch::Dtype dtype) {
    torch::manual_seed(8);
    auto model = std::make_shared<AwdLstmClassifier>(encoder, head, 3, "x");
    model->to(dtype);
    model->train();
    return model;
  };
  auto single = make(torch::kFloat), reference = make(torch::kDouble);
  const auto sgd = torch::optim::SGDOptions(0.05);
  torch::optim::SGD single_opt(single->parameters(), sgd), reference_opt(reference->parameters(), sgd);
  torch::manual_seed(9);
  const int64_t rows = 16, steps = 12;
  Batch batch{{"x", torch::randint(4, 40, {rows, steps})}, {"x.lengths", torch::randint(1, steps + 1, {rows})}};
  batch["x"].masked_fill_(torch::arange(steps).unsqueeze(0) >= batch["x.lengths"].unsqueeze(1), encoder.pad_id);
  ASSERT_LT(batch["x.lengths"].min().item<int64_t>(), steps) << "a padded batch, which lstm_training serves";
  const auto target = torch::randint(0, 3, {rows});
  for (int step = 0; step < 6; ++step) {
    const auto train = [&](AwdLstmClassifier& model, torch::optim::Optimizer& optimizer) {
      torch::manual_seed(100 + step);  // the same weight-drop masks on both sides
      optimizer.zero_grad();
      auto loss = torch::cross_entropy_loss(model.forward(batch), target);
      loss.backward();
      optimizer.step();
      return loss.item<double>();
    };
    const double got = train(*single, single_opt), expected = train(*reference, reference_opt);
    EXPECT_NEAR(got, expected, 1e-5) << "step " << step;
  }
}

TEST(TextLstmTraining, RejectsMismatchedShapes) {
  auto w = random_weights(3, 2, 1);
  const auto x = torch::randn({2, 4, 3});
  EXPECT_THROW(lstm_training(torch::randn({2, 4}), torch::tensor({4, 4}), w, false), std::invalid_argument);
  EXPECT_THROW(lstm_training(x, torch::tensor({4}), w, false), std::invalid_argument);
  EXPECT_THROW(lstm_training(x, torch::tensor({4, 4}), w, true), std::invalid_argument);
  EXPECT_THROW(lstm_training(x.to(torch::kDouble), torch::tensor({4, 4}), w, false), std::invalid_argument);
  EXPECT_THROW(lstm_training(torch::randn({2, 4, 5}), torch::tensor({4, 4}), w, false), std::invalid_argument);
  w[1] = torch::randn({8, 3});
  EXPECT_THROW(lstm_training(x, torch::tensor({4, 4}), w, false), std::invalid_argument);
}

}  // namespace
}  // namespace adapt::text
