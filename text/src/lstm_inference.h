#pragma once
// LSTM forward for inference: what a packed torch::lstm computes on right-padded, batch-first input
// (each row sees only its own steps, in both directions). One GEMM projects every real step's input
// for both directions at once; the recurrence then runs as one plain loop per row and step (the
// recurrent product and the gates, vectorised), with no tensor operation per step (lstm_forward.h).
// Serving and batch prediction spent most of a text model's time in the per-step operations'
// overhead, not arithmetic.
#include <torch/torch.h>

#include <vector>

#include "lstm_cell.h"

namespace adapt::text {

// x [B,T,in] float, lengths [B] (cpu, int64, each in [0, T]); weights per direction in torch::lstm's
// order: w_ih [4H,in], w_hh [4H,H], b_ih [4H], b_hh [4H] (gates i, f, g, o). Returns [B,T,H*directions]
// with zeros at padded steps. Agrees with torch::lstm within 1e-5 (sigmoid and tanh come from a
// polynomial exp of relative error about 1e-7; sums run in another order).
// Builds no autograd graph: call it only where no gradient is wanted.
torch::Tensor lstm_inference(const torch::Tensor& x, const torch::Tensor& lengths,
                             const std::vector<torch::Tensor>& weights, bool bidirectional,
                             LstmKernel kernel = LstmKernel::best);

}  // namespace adapt::text
