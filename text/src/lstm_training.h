#pragma once
#include "lstm_inference.h"  // the arguments and the result, described there

namespace adapt::text {

// LSTM for training: lstm_inference's forward as an autograd function whose backward is written by
// hand. Per row, the backward walks the steps in reverse (the gates' gradients and the recurrent
// product with w_hh); then one GEMM each gives the gradients by x and by the weights. It stands in
// for torch::lstm on a packed sequence, whose per-step view and copy operators dominated a BiLSTM's
// training step. Gradients flow to x and every weight, leaf or not (a dropped-out w_hh); rows run
// spread over at::parallel_for's threads, forward and backward. Output and gradients agree with
// packed torch::lstm within 1e-5 of each tensor's largest magnitude (tests/text).
torch::Tensor lstm_training(const torch::Tensor& x, const torch::Tensor& lengths, torch::TensorList weights,
                            bool bidirectional, LstmKernel kernel = LstmKernel::best);

}  // namespace adapt::text
