#pragma once
// One LSTM step of one row, forward and backward, as plain loops over float arrays that the compiler
// vectorises: the recurrent product and the gates, with no tensor operation per step. Built for any
// x86-64 and for AVX2 with FMA; the CPU picks once. lstm_inference and lstm_training run them.
#include <cstdint>

namespace adapt::text {

// Which compilation runs: the best the CPU allows (AVX2 with FMA where present) or the one for any
// x86-64, which tests compare against the other.
enum class LstmKernel { best, portable };

// H is the hidden size; gates are in torch::lstm's order i, f, g, o. h_prev and c_prev are null at a
// row's first step (zero state).
struct LstmCellKernels {
  // g [4H] holds the step's input projection and both biases; adds h_prev . w_hh_t (w_hh_t [H,4H]),
  // leaves the gate activations in g (the backward reads them) and writes the cell state c and h.
  void (*forward)(const float* w_hh_t, int64_t hidden, const float* h_prev, const float* c_prev, float* g, float* c,
                  float* h);
  // From a step's activations `a` [4H], its cell states and the loss's gradient dh by h and dc by c:
  // writes dg [4H] by the gates before activation, turns dc into the gradient by c_prev and, unless
  // dh_prev is null, adds dg . w_hh (w_hh [4H,H]) to dh_prev.
  void (*backward)(const float* w_hh, int64_t hidden, const float* a, const float* c_prev, const float* c,
                   const float* dh, float* dc, float* dg, float* dh_prev);
};

const LstmCellKernels& lstm_cell_kernels(LstmKernel kernel);

}  // namespace adapt::text
