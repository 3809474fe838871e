#include "adapt/data/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace adapt {

void shuffle(std::vector<size_t>& values, Rng& rng) {
  for (size_t i = values.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.integer(0, static_cast<int64_t>(i)));
    std::swap(values[i - 1], values[j]);
  }
}

Sampler::~Sampler() = default;

BatchPlan Sampler::batches(Rng& rng, size_t batch_size, bool drop_last) const {
  if (batch_size == 0) throw OptionError("loader.batch_size: must be >= 1, got 0");
  const std::vector<size_t> items = order(rng);
  BatchPlan plan;
  for (size_t begin = 0; begin < items.size(); begin += batch_size) {
    const size_t end = std::min(items.size(), begin + batch_size);
    if (drop_last && end - begin < batch_size) break;
    plan.emplace_back(items.begin() + begin, items.begin() + end);
  }
  return plan;
}

std::vector<size_t> SequentialSampler::order(Rng&) const {
  std::vector<size_t> out(size_);
  std::iota(out.begin(), out.end(), size_t{0});
  return out;
}

std::vector<size_t> RandomSampler::order(Rng& rng) const {
  std::vector<size_t> out(size_);
  std::iota(out.begin(), out.end(), size_t{0});
  shuffle(out, rng);
  return out;
}

WeightedSampler::WeightedSampler(std::vector<double> weights, size_t num_samples)
    : num_samples_(num_samples == 0 ? weights.size() : num_samples) {
  double total = 0.0;
  cumulative_.reserve(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] >= 0.0) || !std::isfinite(weights[i])) {
      throw Error("weighted sampler: weight " + std::to_string(i) + " is " + std::to_string(weights[i]) +
                  "; weights must be finite and >= 0");
    }
    total += weights[i];
    cumulative_.push_back(total);
  }
  if (!weights.empty() && !(total > 0.0)) throw Error("weighted sampler: every weight is 0; nothing can be drawn");
}

std::vector<double> WeightedSampler::inverse_frequency_weights(const Dataset& dataset) {
  const auto& target = dataset.blocks().target();
  if (!target.block) {
    throw OptionError("loader.sampler: \"weighted\" needs a target block to weight classes by; use \"random\"");
  }
  const auto columns = target.block->columns();
  const Records& records = dataset.records();
  std::vector<size_t> column_index;
  for (const auto& c : columns) column_index.push_back(records.column_index(c));
  std::vector<std::string> keys(dataset.size());
  std::unordered_map<std::string, size_t> counts;
  for (size_t i = 0; i < dataset.size(); ++i) {
    std::string key;
    for (size_t c : column_index) {
      key += records.at(dataset.row(i), c);
      key.push_back('\x1f');
    }
    ++counts[key];
    keys[i] = std::move(key);
  }
  std::vector<double> weights(dataset.size());
  for (size_t i = 0; i < keys.size(); ++i) weights[i] = 1.0 / static_cast<double>(counts[keys[i]]);
  return weights;
}

std::vector<size_t> WeightedSampler::order(Rng& rng) const {
  std::vector<size_t> out;
  if (cumulative_.empty()) return out;
  out.reserve(num_samples_);
  const double total = cumulative_.back();
  for (size_t i = 0; i < num_samples_; ++i) {
    const double u = rng.uniform(0.0, total);
    size_t k = static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
    if (k >= cumulative_.size()) k = cumulative_.size() - 1;
    out.push_back(k);
  }
  return out;
}

BucketSampler::BucketSampler(std::vector<int64_t> lengths, bool shuffle, size_t chunk_batches)
    : lengths_(std::move(lengths)), shuffle_(shuffle), chunk_batches_(std::max<size_t>(1, chunk_batches)) {}

BatchPlan BucketSampler::batches(Rng& rng, size_t batch_size, bool drop_last) const {
  if (batch_size == 0) throw OptionError("loader.batch_size: must be >= 1, got 0");
  std::vector<size_t> items(lengths_.size());
  std::iota(items.begin(), items.end(), size_t{0});
  auto longer = [&](size_t a, size_t b) { return lengths_[a] > lengths_[b]; };
  if (!shuffle_) {
    std::stable_sort(items.begin(), items.end(), longer);
  } else {
    shuffle(items, rng);
    const size_t chunk = batch_size * chunk_batches_;
    for (size_t begin = 0; begin < items.size(); begin += chunk) {
      const size_t end = std::min(items.size(), begin + chunk);
      std::stable_sort(items.begin() + begin, items.begin() + end, longer);
    }
  }
  BatchPlan plan;
  for (size_t begin = 0; begin < items.size(); begin += batch_size) {
    const size_t end = std::min(items.size(), begin + batch_size);
    if (drop_last && end - begin < batch_size) break;
    plan.emplace_back(items.begin() + begin, items.begin() + end);
  }
  if (shuffle_) {
    std::vector<size_t> perm(plan.size());
    std::iota(perm.begin(), perm.end(), size_t{0});
    shuffle(perm, rng);
    BatchPlan shuffled;
    shuffled.reserve(plan.size());
    for (size_t p : perm) shuffled.push_back(std::move(plan[p]));
    plan = std::move(shuffled);
  }
  return plan;
}

std::vector<size_t> BucketSampler::order(Rng& rng) const {
  std::vector<size_t> out;
  for (auto& batch : batches(rng, 1, false)) out.insert(out.end(), batch.begin(), batch.end());
  return out;
}

BatchPlan shard_plan(const BatchPlan& global, size_t world_size, size_t rank) {
  if (world_size == 0 || rank >= world_size)
    throw OptionError("loader.rank: must be in [0, world_size=" + std::to_string(world_size) + "), got " +
                      std::to_string(rank));
  std::vector<size_t> epoch_start;  // padding source: the epoch's first items, cycled
  for (const auto& batch : global) {
    epoch_start.insert(epoch_start.end(), batch.begin(), batch.end());
    if (epoch_start.size() >= world_size) break;
  }
  BatchPlan mine;
  mine.reserve(global.size());
  for (const auto& batch : global) {
    std::vector<size_t> items = batch;
    for (size_t i = 0; items.size() % world_size != 0; ++i) items.push_back(epoch_start[i % epoch_start.size()]);
    const size_t share = items.size() / world_size;
    if (share == 0) continue;
    mine.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(rank * share),
                      items.begin() + static_cast<std::ptrdiff_t>((rank + 1) * share));
  }
  return mine;
}

}  // namespace adapt
