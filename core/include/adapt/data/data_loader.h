#pragma once
// DataLoader: batches of one split, produced by worker threads ahead of the training loop.
//
//   DataLoader dl(records, rows, blocks, transforms, Split::train, DataLoaderOptions().batch_size(32));
//   dl.set_epoch(epoch);              // reseeds shuffling and augmentation
//   dl.start_epoch();
//   while (auto batch = dl.next()) { ... (*batch)["x"], (*batch)["y"], (*batch)["row"] ... }
//
// Determinism: batch j of epoch e uses Rng(seed).derive(e).derive(j) for its items' encoding and
// transforms, and the order comes from Rng(seed).derive(e), so the batches do not depend on the number
// of workers. Random transforms (on_valid() == false) and random encoding run on Split::train only.
// Fast path: when nothing is random for this split and there are no item transforms, every row is
// encoded once at construction and batches are index gathers of the cached tensors.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/data/dataset.h"
#include "adapt/data/sampler.h"
#include "adapt/data/transform.h"

namespace adapt {

struct ADAPT_API DataLoaderOptions {
  DataLoaderOptions() = default;

#define ADAPT_LOADER_ARG(type, name) \
  DataLoaderOptions& name(type value) { \
    name##_ = std::move(value);      \
    return *this;                    \
  }                                  \
  const type& name() const { return name##_; }

  ADAPT_LOADER_ARG(int64_t, batch_size)
  // Unset: true on the training split only.
  ADAPT_LOADER_ARG(std::optional<bool>, shuffle)
  // Unset: true on the training split only (a short last batch upsets batch norm).
  ADAPT_LOADER_ARG(std::optional<bool>, drop_last)
  // Worker threads; 0 produces batches in the calling thread.
  ADAPT_LOADER_ARG(int64_t, workers)
  // Batches produced ahead of the consumer (bounded queue).
  ADAPT_LOADER_ARG(int64_t, prefetch)
  // "random", "sequential", "weighted" or "bucket". Without shuffle, "bucket" sorts by length and
  // the others are sequential.
  ADAPT_LOADER_ARG(std::string, sampler)
  ADAPT_LOADER_ARG(uint64_t, seed)
  // Distributed training: batch_size is per rank; the epoch is planned in batches of
  // batch_size x world_size and this rank takes slice `rank` of each (sampler.h shard_plan).
  ADAPT_LOADER_ARG(int64_t, rank)
  ADAPT_LOADER_ARG(int64_t, world_size)
  // Largest cache for the fast path; bigger splits are encoded batch by batch.
  ADAPT_LOADER_ARG(int64_t, max_cache_bytes)
#undef ADAPT_LOADER_ARG

  // Reads the recipe's "loader" object {"batch_size":64, "workers":1, ...}; throws OptionError
  // prefixed with `path` on unknown keys, wrong types or out-of-range values.
  static DataLoaderOptions from_json(const json& j, const std::string& path = "loader");
  json to_json() const;
  // The option schema of the recipe's "loader" section (valid_batch_size included).
  static OptionSchema schema();

 private:
  int64_t batch_size_ = 64;
  std::optional<bool> shuffle_;
  std::optional<bool> drop_last_;
  int64_t workers_ = 1;
  int64_t prefetch_ = 4;
  std::string sampler_ = "random";
  uint64_t seed_ = 42;
  int64_t rank_ = 0;
  int64_t world_size_ = 1;
  int64_t max_cache_bytes_ = int64_t(1) << 30;
};

class ADAPT_API DataLoader {
 public:
  // `rows` index `records`; `blocks` are already set up. Transforms that are random (on_valid()
  // false) are skipped unless `split` is train.
  DataLoader(std::shared_ptr<const Records> records, std::vector<size_t> rows,
             std::shared_ptr<const DataBlocks> blocks, std::vector<std::shared_ptr<const Transform>> transforms,
             Split split, DataLoaderOptions options = {}, bool with_target = true);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  void set_epoch(int64_t epoch);
  int64_t epoch() const { return epoch_; }
  // Plans the epoch's batches and starts the workers; stops an epoch still running, unless it is
  // the same epoch and none of its batches has been taken: then its batches are kept.
  void start_epoch();
  // set_epoch(epoch) and start the workers now, so the first batches are ready when training asks
  // for them: the Learner prepares the next epoch while it validates.
  void prepare_epoch(int64_t epoch);
  // The next batch in order, or nullopt at the end of the epoch. Rethrows a worker's error.
  std::optional<Batch> next();

  size_t num_batches() const;  // this rank's batches per epoch
  size_t size() const { return dataset_.size(); }
  const std::vector<size_t>& rows() const { return dataset_.rows(); }
  const Dataset& dataset() const { return dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  Split split() const { return dataset_.split(); }
  bool shuffle() const { return shuffle_; }
  bool drop_last() const { return drop_last_; }
  bool cached() const { return cached_; }  // the fast path is in use
  // Seconds the consumer spent blocked in next() during the epoch being consumed (with 0 workers:
  // the time spent producing batches). Reset by the epoch's first batch, so preparing the next
  // epoch leaves the last one's figure readable.
  double wait_seconds() const { return wait_seconds_; }

 private:
  BatchPlan plan_epoch() const;
  Batch produce(size_t batch_index) const;
  void worker_loop();
  void stop_workers();
  void build_cache();

  Dataset dataset_;
  std::vector<std::shared_ptr<const Transform>> item_transforms_, batch_transforms_;
  DataLoaderOptions options_;
  bool shuffle_, drop_last_;
  std::unique_ptr<Sampler> sampler_;
  int64_t epoch_ = 0;

  bool cached_ = false;
  Batch cache_;  // every row encoded and collated, in dataset order

  // Current epoch (running_epoch_ is what the workers use, so set_epoch cannot race them).
  int64_t running_epoch_ = 0;
  BatchPlan plan_;
  std::vector<torch::Tensor> plan_index_;  // the cached path: plan_ as index tensors
  double wait_seconds_ = 0.0;
  size_t next_to_consume_ = 0;
  enum class State { idle, running, finished } state_ = State::idle;

  // Worker state, guarded by mutex_.
  std::mutex mutex_;
  std::condition_variable produced_, consumed_;
  size_t next_to_produce_ = 0;
  bool stop_ = false;
  std::map<size_t, Batch> ready_;
  std::map<size_t, std::exception_ptr> failed_;  // by batch, so errors surface in batch order
  std::vector<std::thread> threads_;
};

}  // namespace adapt
