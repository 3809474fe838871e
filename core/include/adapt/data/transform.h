#pragma once
// Transform: an augmentation or preprocessing step on a Sample (item level, in loader workers) or on
// a Batch (batch level). Random augmentations report on_valid() == false and never touch validation,
// test or predict data; the loader enforces that, not each transform.
#include "adapt/common/options.h"
#include "adapt/common/rng.h"
#include "adapt/common/tensor_dict.h"

namespace adapt {

class DataBlocks;

enum class TransformLevel { item, batch };

class ADAPT_API Transform {
 public:
  virtual ~Transform();
  virtual TransformLevel level() const = 0;
  // True for deterministic preprocessing that must also run on validation and prediction.
  virtual bool on_valid() const { return false; }
  // Probability of applying to each item (or batch); the loader draws it from the same Rng.
  virtual double p() const { return 1.0; }
  // Sees the fitted blocks once before training (e.g. mixup reads the number of classes).
  virtual void setup(const DataBlocks& blocks);
  virtual void apply(TensorDict& data, Rng& rng) const = 0;
};

}  // namespace adapt
