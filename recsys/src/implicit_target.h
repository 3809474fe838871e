#pragma once
// recsys.implicit: implicit feedback as a binary target (int64 0/1 [1], BCE with logits). Every observed
// interaction is a positive (or those rated at least `threshold`); negatives come from the
// recsys.negative_sampling batch transform. Decodes to {"score": probability}.
#include <adapt/data/block.h>

namespace adapt::recsys {

class ImplicitTarget : public Block {
 public:
  ImplicitTarget(std::string column, double threshold);
  static OptionSchema schema();

  std::vector<std::string> columns() const override;
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  json state() const override { return {{"column", column_}, {"threshold", threshold_}}; }
  void load_state(const json& state) override;
  std::string loss() const override { return "bce_with_logits"; }
  int64_t n_outputs() const override { return 1; }
  json decode(const torch::Tensor& output_row) const override;

 private:
  std::string column_;  // empty: every row is positive
  double threshold_;
};

}  // namespace adapt::recsys
