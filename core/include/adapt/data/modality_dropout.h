#pragma once
// core.modality_dropout: in training, marks each input of each batch row as missing with probability
// p ("<key>.missing", bool [batch], or-ed with what a block marked), so a core.fusion model learns to
// predict from the other inputs when one is absent at predict time. A row the draws would leave with
// no input at all keeps its inputs (only its blocks' marks apply).
#include <string>
#include <vector>

#include "adapt/data/transform.h"

namespace adapt {

class ADAPT_API ModalityDropout : public Transform {
 public:
  // keys: the input keys to drop; empty: every input block's key (from setup).
  ModalityDropout(double p, std::vector<std::string> keys);
  TransformLevel level() const override { return TransformLevel::batch; }
  void setup(const DataBlocks& blocks) override;
  void apply(TensorDict& batch, Rng& rng) const override;

 private:
  double p_;
  std::vector<std::string> keys_;
};

}  // namespace adapt
