#include "lstm_inference.h"

#include "lstm_forward.h"

namespace adapt::text {

torch::Tensor lstm_inference(const torch::Tensor& x, const torch::Tensor& lengths,
                             const std::vector<torch::Tensor>& weights, bool bidirectional, LstmKernel kernel) {
  check_lstm_arguments("lstm_inference", x, lengths, weights, bidirectional);
  // On the calling thread only, as serving and prediction were measured (lstm_training spreads rows).
  return lstm_forward(x, lengths, weights, bidirectional, kernel, /*parallel=*/false).out;
}

}  // namespace adapt::text
