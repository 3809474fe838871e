#pragma once
// What the LSTM tests compare against: torch::lstm over a packed sequence, the computation
// lstm_inference and lstm_training stand in for.
#include <torch/nn/utils/rnn.h>
#include <torch/torch.h>

#include <vector>

namespace adapt::text::testing {

// Per direction: w_ih [4H,in], w_hh [4H,H], b_ih [4H], b_hh [4H], at a scale where the gates vary.
inline std::vector<torch::Tensor> random_weights(int64_t in, int64_t hidden, int directions) {
  std::vector<torch::Tensor> w;
  for (int d = 0; d < directions; ++d)
    for (const auto& shape : {std::vector<int64_t>{4 * hidden, in}, {4 * hidden, hidden}, {4 * hidden}, {4 * hidden}})
      w.push_back(torch::randn(shape) * 0.3);
  return w;
}

// torch::lstm over the packed rows, padded back with zeros. Rows of length 0, which a packed
// sequence cannot hold, stay zero. Differentiable.
inline torch::Tensor packed_lstm(const torch::Tensor& x, const torch::Tensor& lengths,
                                 const std::vector<torch::Tensor>& w, bool bidirectional) {
  namespace rnn = torch::nn::utils::rnn;
  const int64_t hidden = w[1].size(1), directions = bidirectional ? 2 : 1;
  const auto kept = torch::nonzero(lengths > 0).flatten();
  auto h0 = torch::zeros({directions, kept.size(0), hidden});
  auto packed = rnn::pack_padded_sequence(x.index_select(0, kept), lengths.index_select(0, kept),
                                          /*batch_first=*/true, /*enforce_sorted=*/false);
  auto result = torch::lstm(packed.data(), packed.batch_sizes(), {h0, h0}, w, true, 1, 0.0, false, bidirectional);
  rnn::PackedSequence out(std::get<0>(result), packed.batch_sizes(), packed.sorted_indices(), packed.unsorted_indices());
  const auto padded = std::get<0>(rnn::pad_packed_sequence(out, /*batch_first=*/true, 0.0, x.size(1)));
  return torch::zeros({x.size(0), x.size(1), hidden * directions}).index_copy(0, kept, padded);
}

}  // namespace adapt::text::testing
