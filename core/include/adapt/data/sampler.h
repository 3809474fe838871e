#pragma once
// Samplers: the order of a split's items for one epoch, already grouped into batches.
//   sequential  0, 1, 2, ... (validation, prediction)
//   random      a seeded permutation (training)
//   weighted    draws with replacement, each item weighted by the inverse frequency of its raw target
//               value, so every class is seen about equally often (imbalanced data)
//   bucket      items of similar sequence length share a batch (less padding); batches are shuffled
#include <memory>
#include <string>
#include <vector>

#include "adapt/common/rng.h"
#include "adapt/data/dataset.h"

namespace adapt {

using BatchPlan = std::vector<std::vector<size_t>>;  // positions into the Dataset, one list per batch

class ADAPT_API Sampler {
 public:
  virtual ~Sampler();
  // The batches of one epoch; `rng` is the epoch's stream. The default chunks order().
  virtual BatchPlan batches(Rng& rng, size_t batch_size, bool drop_last) const;
  // One epoch's item order.
  virtual std::vector<size_t> order(Rng& rng) const = 0;
};

class ADAPT_API SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(size_t size) : size_(size) {}
  std::vector<size_t> order(Rng& rng) const override;

 private:
  size_t size_;
};

class ADAPT_API RandomSampler : public Sampler {
 public:
  explicit RandomSampler(size_t size) : size_(size) {}
  std::vector<size_t> order(Rng& rng) const override;

 private:
  size_t size_;
};

class ADAPT_API WeightedSampler : public Sampler {
 public:
  // One weight per item (>= 0, not all 0); `num_samples` draws per epoch (0: as many as items).
  explicit WeightedSampler(std::vector<double> weights, size_t num_samples = 0);
  // Inverse class frequency of the target block's raw value (its columns joined) of each item.
  static std::vector<double> inverse_frequency_weights(const Dataset& dataset);
  std::vector<size_t> order(Rng& rng) const override;

 private:
  std::vector<double> cumulative_;
  size_t num_samples_;
};

class ADAPT_API BucketSampler : public Sampler {
 public:
  // `lengths` per item. Items are shuffled (when `shuffle`), cut into chunks of
  // batch_size * chunk_batches, each chunk sorted by length (longest first) and cut into batches;
  // the batches are then shuffled. Without shuffle every item is sorted by length, longest first.
  explicit BucketSampler(std::vector<int64_t> lengths, bool shuffle = true, size_t chunk_batches = 50);
  BatchPlan batches(Rng& rng, size_t batch_size, bool drop_last) const override;
  std::vector<size_t> order(Rng& rng) const override;  // batches() flattened, for batch_size 1

 private:
  std::vector<int64_t> lengths_;
  bool shuffle_;
  size_t chunk_batches_;
};

// Shuffles in place with `rng` (Fisher-Yates), identically on every platform.
void shuffle(std::vector<size_t>& values, Rng& rng);

// Distributed training: rank `rank`'s part of an epoch planned for the whole group. `global` holds the
// group's batches (batch_size x world_size items each, planned from the same seed on every rank);
// rank r takes the r-th of world_size equal slices of each, so the ranks' k-th batches together are
// the one-process k-th batch of the same size. A last batch whose size is not a multiple of
// world_size is padded with items from the start of the epoch (as PyTorch's DistributedSampler
// does), so every rank takes the same number of equal-sized steps.
ADAPT_API BatchPlan shard_plan(const BatchPlan& global, size_t world_size, size_t rank);

}  // namespace adapt
