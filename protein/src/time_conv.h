#pragma once
// A Conv1d over the protein CNN's time-major activations [B,T,Cin] -> [B,T,Cout] (time_conv.cpp says
// why channels-first, and how one sequence at prediction takes a faster path).
#include <torch/nn/modules/conv.h>

#include <memory>
#include <mutex>

namespace adapt::protein {

class TimeConv {
 public:
  TimeConv() = default;
  // `conv` is registered by the owning module (its parameters keep their names); zero padding by a
  // count, one group, stride 1.
  explicit TimeConv(torch::nn::Conv1d conv);
  torch::Tensor operator()(const torch::Tensor& x) const;
  const torch::nn::Conv1d& conv() const { return conv_; }

 private:
  // oneDNN's blocked copy of the weight, made once per weight version; guarded, since a server
  // predicts on several threads at once.
  struct Packed {
    std::mutex mutex;
    torch::Tensor weight;  // oneDNN layout
    torch::Tensor source;  // the weight it was made from (held, so its address is not reused)
    int64_t version = -1;
  };
  torch::Tensor one_sequence(const torch::Tensor& x) const;
  torch::Tensor packed_weight() const;

  torch::nn::Conv1d conv_{nullptr};
  std::unique_ptr<Packed> packed_ = std::make_unique<Packed>();
};

}  // namespace adapt::protein
