#pragma once
// recsys.negative_sampling (batch level, training only): for implicit feedback, appends n_negatives
// sampled items per positive row with target 0. Items are drawn from the distinct training items,
// uniformly or by popularity (count^alpha, word2vec's 0.75 by default). A sampled item the user did
// interact with stays a negative (standard sampled-softmax practice; rare for large catalogues).
#include <adapt/data/transform.h>

#include <torch/types.h>

namespace adapt::recsys {

class NegativeSampling : public Transform {
 public:
  struct Settings {
    int64_t n_negatives = 4;
    std::string distribution = "uniform";  // uniform, popularity
    double alpha = 0.75;
    std::string input = "x", target = "y";
  };
  explicit NegativeSampling(Settings settings);
  static OptionSchema schema();
  static std::shared_ptr<NegativeSampling> create(const Options& options);

  TransformLevel level() const override { return TransformLevel::batch; }
  void setup(const DataBlocks& blocks) override;
  void apply(TensorDict& batch, Rng& rng) const override;

  // Sets the candidates directly: encoded items [n, slots] and their training counts [n].
  void set_candidates(torch::Tensor items, torch::Tensor counts);

 private:
  Settings s_;
  torch::Tensor items_;  // [n, slots]
  torch::Tensor cdf_;    // popularity: cumulative probabilities [n] (double)
};

}  // namespace adapt::recsys
