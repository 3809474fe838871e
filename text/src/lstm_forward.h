#pragma once
// The LSTM forward lstm_inference and lstm_training share: what a packed torch::lstm computes on
// right-padded, batch-first input (each row sees only its own steps, in both directions). Only real
// steps are projected (padding can be half of a batch of mixed lengths), both directions in one GEMM;
// the recurrence then runs as the per-step loops of lstm_cell.h, one row and direction at a time.
#include <torch/torch.h>

#include <functional>
#include <vector>

#include "lstm_cell.h"

namespace adapt::text {

// Right-padded rows packed to their real steps, row after row: row b's step t is real step first[b] + t.
struct PackedSteps {
  int64_t rows = 0, steps = 0;
  std::vector<int64_t> length, first;
  torch::Tensor index;  // [real] int64: b * steps + t, the step's row in x.reshape({rows * steps, -1})
  int64_t real() const { return index.size(0); }
};

// The step a row of `length` steps runs k-th: the reverse direction starts at its own last step.
inline int64_t step_of(int64_t k, int64_t length, bool reverse) { return reverse ? length - 1 - k : k; }

// lengths [B] (any integer type) clamped to [0, steps].
PackedSteps pack_steps(const torch::Tensor& lengths, int64_t steps);

// Runs task(row, direction) for every row with a real step and every direction. With `parallel`, on
// at::parallel_for's threads, the tasks dealt into one bucket per thread by their length.
void for_each_row(const PackedSteps& packed, int64_t directions, bool parallel,
                  const std::function<void(int64_t, int64_t)>& task);

// Throws std::invalid_argument, naming `who`, unless x is float [B,T,in] with one length per row and
// the weights are 4 float CPU tensors per direction of torch::lstm's shapes.
void check_lstm_arguments(const char* who, const torch::Tensor& x, const torch::Tensor& lengths,
                          torch::TensorList weights, bool bidirectional);

struct LstmForward {
  PackedSteps packed;
  torch::Tensor x;      // [real, in]: the real steps' inputs
  torch::Tensor gates;  // [real, 4H * directions]: each step's gate activations, direction d from column 4H d
  torch::Tensor cells;  // [real, H * directions]: each step's cell state, direction d from column H d
  torch::Tensor hs;     // [real, H * directions]: each step's h, as cells
  torch::Tensor out;    // [B, T, H * directions]: hs at the real steps, zeros at padded ones
};

// Arguments as check_lstm_arguments wants them. Builds no autograd graph.
LstmForward lstm_forward(const torch::Tensor& x, const torch::Tensor& lengths, torch::TensorList weights,
                         bool bidirectional, LstmKernel kernel, bool parallel);

}  // namespace adapt::text
