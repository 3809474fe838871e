#include "adapt/data/data_loader.h"

#include <chrono>

#include "adapt/common/threads.h"

namespace adapt {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int64_t sample_bytes(const Sample& sample) {
  int64_t bytes = 0;
  for (const auto& [key, tensor] : sample) bytes += tensor.numel() * static_cast<int64_t>(tensor.element_size());
  return bytes;
}

bool same_shapes(const Sample& a, const Sample& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first || !ia->second.sizes().equals(ib->second.sizes()) ||
        ia->second.scalar_type() != ib->second.scalar_type()) {
      return false;
    }
  }
  return true;
}

}  // namespace

OptionSchema DataLoaderOptions::schema() {
  return {
      OptionSpec("batch_size", OptionType::integer, 64, "items per training batch").min(1),
      OptionSpec("valid_batch_size", OptionType::integer, nullptr,
                 "items per validation/test batch (default: 2 x batch_size)")
          .min(1),
      OptionSpec("shuffle", OptionType::boolean, nullptr, "shuffle each epoch (default: true on train only)"),
      OptionSpec("drop_last", OptionType::boolean, nullptr,
                 "drop the last short batch (default: true on train only)"),
      OptionSpec("workers", OptionType::integer, 1, "loader worker threads; 0 loads in the training thread")
          .min(0)
          .max(256),
      OptionSpec("prefetch", OptionType::integer, 4, "batches prepared ahead of the training loop").min(1).max(1024),
      OptionSpec("sampler", OptionType::string, "random",
                 "training order: random, sequential, weighted (inverse class frequency), bucket (by length)")
          .choices({"random", "sequential", "weighted", "bucket"}),
      OptionSpec("seed", OptionType::integer, nullptr, "shuffling/augmentation seed (default: the recipe seed)").min(0),
      OptionSpec("rank", OptionType::integer, 0, "this process's rank in distributed training").min(0),
      OptionSpec("world_size", OptionType::integer, 1, "number of processes in distributed training").min(1),
      OptionSpec("max_cache_bytes", OptionType::integer, int64_t(1) << 30,
                 "largest split encoded once up front (the fast path); larger ones encode per batch")
          .min(0),
  };
}

DataLoaderOptions DataLoaderOptions::from_json(const json& j, const std::string& path) {
  Options o(schema(), j, path);
  DataLoaderOptions out;
  out.batch_size(o.integer("batch_size"))
      .workers(o.integer("workers"))
      .prefetch(o.integer("prefetch"))
      .sampler(o.string("sampler"))
      .rank(o.integer("rank"))
      .world_size(o.integer("world_size"))
      .max_cache_bytes(o.integer("max_cache_bytes"));
  if (o.has("shuffle")) out.shuffle(o.boolean("shuffle"));
  if (o.has("drop_last")) out.drop_last(o.boolean("drop_last"));
  if (o.has("seed")) out.seed(static_cast<uint64_t>(o.integer("seed")));
  if (out.rank() >= out.world_size()) {
    throw o.error("rank", "must be < world_size (" + std::to_string(out.world_size()) + "), got " +
                              std::to_string(out.rank()));
  }
  return out;
}

json DataLoaderOptions::to_json() const {
  json j = {{"batch_size", batch_size_}, {"workers", workers_},       {"prefetch", prefetch_},
            {"sampler", sampler_},       {"seed", seed_},             {"rank", rank_},
            {"world_size", world_size_}, {"max_cache_bytes", max_cache_bytes_}};
  if (shuffle_) j["shuffle"] = *shuffle_;
  if (drop_last_) j["drop_last"] = *drop_last_;
  return j;
}

DataLoader::DataLoader(std::shared_ptr<const Records> records, std::vector<size_t> rows,
                       std::shared_ptr<const DataBlocks> blocks, std::vector<std::shared_ptr<const Transform>> transforms,
                       Split split, DataLoaderOptions options, bool with_target)
    : dataset_(std::move(records), std::move(rows), std::move(blocks), split, with_target),
      options_(std::move(options)) {
  const bool train = split == Split::train;
  if (options_.batch_size() < 1) {
    throw OptionError("loader.batch_size: must be >= 1, got " + std::to_string(options_.batch_size()));
  }
  if (options_.workers() < 0) throw OptionError("loader.workers: must be >= 0, got " + std::to_string(options_.workers()));
  if (options_.prefetch() < 1) {
    throw OptionError("loader.prefetch: must be >= 1, got " + std::to_string(options_.prefetch()));
  }
  if (options_.world_size() < 1 || options_.rank() < 0 || options_.rank() >= options_.world_size()) {
    throw OptionError("loader.rank: must be in [0, world_size=" + std::to_string(options_.world_size()) + "), got " +
                      std::to_string(options_.rank()));
  }
  shuffle_ = options_.shuffle().value_or(train);
  drop_last_ = options_.drop_last().value_or(train);

  for (size_t i = 0; i < transforms.size(); ++i) {
    const auto& t = transforms[i];
    if (!t) throw OptionError("transforms[" + std::to_string(i) + "]: no transform given");
    // The loader, not each transform, keeps random augmentation off validation/test/predict data.
    if (!train && !t->on_valid()) continue;
    (t->level() == TransformLevel::item ? item_transforms_ : batch_transforms_).push_back(t);
  }

  const std::string& kind = options_.sampler();
  const size_t n = dataset_.size();
  if (kind == "bucket") {
    std::vector<int64_t> lengths(n);
    for (size_t i = 0; i < n; ++i) lengths[i] = dataset_.length(i);
    if (n > 0 && lengths[0] < 0) {
      throw OptionError("loader.sampler: \"bucket\" sorts by sequence length, but the first input block is not a "
                        "sequence (length -1); use \"random\"");
    }
    sampler_ = std::make_unique<BucketSampler>(std::move(lengths), shuffle_);
  } else if (!shuffle_ || kind == "sequential") {
    sampler_ = std::make_unique<SequentialSampler>(n);
  } else if (kind == "random") {
    sampler_ = std::make_unique<RandomSampler>(n);
  } else if (kind == "weighted") {
    sampler_ = std::make_unique<WeightedSampler>(WeightedSampler::inverse_frequency_weights(dataset_));
  } else {
    throw OptionError("loader.sampler: must be one of \"random\", \"sequential\", \"weighted\", \"bucket\"; got \"" +
                      kind + "\"");
  }

  const bool random_encoding = train && dataset_.blocks().random_on_train();
  if (!random_encoding && item_transforms_.empty() && n > 0) build_cache();
}

DataLoader::~DataLoader() { stop_workers(); }

void DataLoader::build_cache() {
  if (dataset_.length(0) >= 0) return;  // sequences pad per batch
  Rng rng(options_.seed());  // unused by non-random encoding, but train contexts need one
  std::vector<Sample> samples;
  samples.reserve(dataset_.size());
  samples.push_back(dataset_.get(0, rng));
  if (sample_bytes(samples[0]) * static_cast<int64_t>(dataset_.size()) > options_.max_cache_bytes()) return;
  for (size_t i = 1; i < dataset_.size(); ++i) {
    samples.push_back(dataset_.get(i, rng));
    // Items of different shapes are padded per batch by their block: no whole-split cache then.
    if (!same_shapes(samples[0], samples.back())) return;
  }
  Batch all = dataset_.blocks().collate(samples);
  for (const auto& [key, tensor] : all) {
    if (tensor.dim() == 0 || tensor.size(0) != static_cast<int64_t>(samples.size())) return;
  }
  cache_ = std::move(all);
  cached_ = true;
  // One throwaway gather of a batch's size pays the first call's one-time costs (operator dispatch,
  // allocator pools) here rather than in the first training step, where they count as data wait.
  const auto rows = std::min<int64_t>(options_.batch_size(), static_cast<int64_t>(samples.size()));
  const auto warm = torch::arange(rows, torch::kInt64);
  for (const auto& [key, tensor] : cache_) (void)tensor.index_select(0, warm);
}

size_t DataLoader::num_batches() const {
  const size_t n = dataset_.size();  // every sampler draws one item per row and epoch
  // Distributed: the group plans batches of batch_size x world_size and every rank takes a slice of
  // each (shard_plan), so every rank takes the same number of steps.
  const size_t bs = static_cast<size_t>(options_.batch_size()) * static_cast<size_t>(options_.world_size());
  return drop_last_ ? n / bs : (n + bs - 1) / bs;
}

void DataLoader::set_epoch(int64_t epoch) {
  if (epoch < 0) throw Error("DataLoader::set_epoch: epoch must be >= 0, got " + std::to_string(epoch));
  epoch_ = epoch;
}

BatchPlan DataLoader::plan_epoch() const {
  Rng rng = Rng(options_.seed()).derive(static_cast<uint64_t>(running_epoch_));
  const size_t world = static_cast<size_t>(options_.world_size());
  BatchPlan all = sampler_->batches(rng, static_cast<size_t>(options_.batch_size()) * world, drop_last_);
  if (world == 1) return all;
  return shard_plan(all, world, static_cast<size_t>(options_.rank()));
}

void DataLoader::prepare_epoch(int64_t epoch) {
  set_epoch(epoch);
  start_epoch();
}

void DataLoader::start_epoch() {
  // The same epoch, not yet consumed: its batches (already produced or in production) are the ones
  // a fresh start would make.
  if (state_ == State::running && running_epoch_ == epoch_ && next_to_consume_ == 0) return;
  stop_workers();
  running_epoch_ = epoch_;
  plan_ = plan_epoch();
  // The cached path's index tensors are made here, ahead of the loop (and, prepared, while the
  // previous epoch validates), so a batch is only the gathers.
  plan_index_.clear();
  if (cached_) {
    for (const auto& positions : plan_) {
      plan_index_.push_back(torch::tensor(std::vector<int64_t>(positions.begin(), positions.end()), torch::kInt64));
    }
  }
  next_to_consume_ = 0;
  next_to_produce_ = 0;
  state_ = State::running;
  // A cached split with no batch transforms is an index gather per batch (microseconds): handing it
  // over from a worker thread would cost more than it saves, and the first batch would wait for the
  // thread to start. Workers then stay off.
  const bool gather_only = cached_ && batch_transforms_.empty();
  const size_t n_threads =
      gather_only ? 0 : std::min<size_t>(static_cast<size_t>(options_.workers()), plan_.size());
  for (size_t i = 0; i < n_threads; ++i) threads_.emplace_back([this] { worker_loop(); });
}

Batch DataLoader::produce(size_t k) const {
  // Global batch index, so ranks of a distributed run draw different streams.
  const uint64_t global = static_cast<uint64_t>(options_.rank()) + k * static_cast<uint64_t>(options_.world_size());
  Rng rng = Rng(options_.seed()).derive(static_cast<uint64_t>(running_epoch_)).derive(global);
  const std::vector<size_t>& positions = plan_[k];
  Batch batch;
  if (cached_) {
    for (const auto& [key, tensor] : cache_) batch[key] = tensor.index_select(0, plan_index_[k]);
  } else {
    std::vector<Sample> items;
    items.reserve(positions.size());
    for (size_t p : positions) {
      Sample sample = dataset_.get(p, rng);
      for (const auto& t : item_transforms_) {
        if (rng.bernoulli(t->p())) t->apply(sample, rng);
      }
      items.push_back(std::move(sample));
    }
    batch = dataset_.blocks().collate(items);
  }
  for (const auto& t : batch_transforms_) {
    if (rng.bernoulli(t->p())) t->apply(batch, rng);
  }
  return batch;
}

void DataLoader::worker_loop() {
  use_one_thread_in_this_thread();
  const size_t prefetch = static_cast<size_t>(options_.prefetch());
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    consumed_.wait(lock, [&] {
      return stop_ || next_to_produce_ >= plan_.size() || next_to_produce_ < next_to_consume_ + prefetch;
    });
    if (stop_ || next_to_produce_ >= plan_.size()) return;
    const size_t k = next_to_produce_++;
    lock.unlock();
    Batch batch;
    std::exception_ptr error;
    try {
      batch = produce(k);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error) {
      failed_.emplace(k, error);
    } else {
      ready_.emplace(k, std::move(batch));
    }
    produced_.notify_all();
  }
}

std::optional<Batch> DataLoader::next() {
  if (state_ == State::idle) start_epoch();
  if (state_ == State::finished) return std::nullopt;
  const size_t k = next_to_consume_;
  if (k == 0) wait_seconds_ = 0.0;
  if (k >= plan_.size()) {
    stop_workers();
    state_ = State::finished;
    return std::nullopt;
  }
  const auto start = Clock::now();
  if (threads_.empty()) {
    ++next_to_consume_;
    Batch batch = produce(k);
    wait_seconds_ += seconds_since(start);
    return batch;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  produced_.wait(lock, [&] { return ready_.count(k) != 0 || failed_.count(k) != 0; });
  wait_seconds_ += seconds_since(start);
  ++next_to_consume_;
  consumed_.notify_all();
  if (auto failed = failed_.find(k); failed != failed_.end()) {
    std::exception_ptr error = failed->second;
    lock.unlock();
    stop_workers();
    state_ = State::finished;
    std::rethrow_exception(error);
  }
  auto it = ready_.find(k);
  Batch batch = std::move(it->second);
  ready_.erase(it);
  return batch;
}

void DataLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  consumed_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  stop_ = false;
  ready_.clear();
  failed_.clear();
}

}  // namespace adapt
