// DataLoader: order and seeding, worker-count independence, drop_last, rows, samplers, sharding,
// the encode-once fast path, prepared epochs and error propagation.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <numeric>
#include <set>
#include <thread>

#include "adapt/data/category_block.h"
#include "adapt/data/data_loader.h"
#include "adapt/data/gaussian_noise.h"
#include "adapt/data/regression_block.h"
#include "core/support/data_fixtures.h"

using namespace adapt;

namespace {

std::vector<size_t> iota(size_t n) {
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), size_t{0});
  return v;
}

std::shared_ptr<DataBlocks> numeric_blocks(const Records& records) {
  auto blocks = std::make_shared<DataBlocks>(
      std::vector<BoundBlock>{{"x", std::make_shared<RegressionBlock>(RegressionBlockOptions({"value"}))}},
      BoundBlock{"y", std::make_shared<CategoryBlock>(CategoryBlockOptions("label"))});
  blocks->setup(records);
  return blocks;
}

std::vector<Batch> epoch(DataLoader& dl, int64_t e) {
  dl.set_epoch(e);
  dl.start_epoch();
  std::vector<Batch> out;
  while (auto b = dl.next()) out.push_back(std::move(*b));
  return out;
}

std::vector<int64_t> row_order(const std::vector<Batch>& batches) {
  std::vector<int64_t> rows;
  for (const auto& b : batches) {
    auto r = b.at("row");
    rows.insert(rows.end(), r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
  }
  return rows;
}

void expect_same_batches(const std::vector<Batch>& a, const std::vector<Batch>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size());
    for (const auto& [key, t] : a[i]) EXPECT_TRUE(torch::equal(t, b[i].at(key))) << "batch " << i << " key " << key;
  }
}

}  // namespace

TEST(DataLoader, SeededOrderPerEpoch) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(100));
  auto blocks = numeric_blocks(*records);
  auto opts = DataLoaderOptions().batch_size(16).seed(5);
  DataLoader a(records, iota(100), blocks, {}, Split::train, opts);
  DataLoader b(records, iota(100), blocks, {}, Split::train, opts);
  EXPECT_TRUE(a.shuffle());
  EXPECT_TRUE(a.drop_last());
  EXPECT_EQ(a.num_batches(), 6u);
  auto a0 = epoch(a, 0);
  EXPECT_EQ(a0.size(), 6u);
  expect_same_batches(a0, epoch(b, 0));
  EXPECT_NE(row_order(a0), row_order(epoch(a, 1)));  // a new epoch reshuffles
  expect_same_batches(a0, epoch(a, 0));              // and epoch 0 again is epoch 0
  DataLoader other_seed(records, iota(100), blocks, {}, Split::train, DataLoaderOptions().batch_size(16).seed(6));
  EXPECT_NE(row_order(a0), row_order(epoch(other_seed, 0)));

  // Every batch carries its record rows; the x values belong to those rows (value = 0.5 * row).
  for (const auto& batch : a0) {
    EXPECT_TRUE(torch::allclose(batch.at("x").flatten(), batch.at("row").to(torch::kFloat) * 0.5));
  }
  std::set<int64_t> seen;
  for (int64_t r : row_order(a0)) seen.insert(r);
  EXPECT_EQ(seen.size(), 96u);  // drop_last on train: 100 - 100 % 16
}

TEST(DataLoader, ValidIsSequentialAndKeepsTheLastBatch) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(50));
  auto blocks = numeric_blocks(*records);
  std::vector<size_t> rows = {5, 7, 9, 11, 13, 15, 17};
  DataLoader dl(records, rows, blocks, {}, Split::valid, DataLoaderOptions().batch_size(3));
  EXPECT_FALSE(dl.shuffle());
  EXPECT_FALSE(dl.drop_last());
  EXPECT_EQ(dl.num_batches(), 3u);
  auto batches = epoch(dl, 0);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2].at("row").numel(), 1);
  EXPECT_EQ(row_order(batches), (std::vector<int64_t>{5, 7, 9, 11, 13, 15, 17}));
  EXPECT_EQ(dl.size(), 7u);
  EXPECT_EQ(dl.rows(), rows);

  DataLoader keep(records, iota(50), blocks, {}, Split::train, DataLoaderOptions().batch_size(16).drop_last(false));
  EXPECT_EQ(epoch(keep, 0).size(), 4u);
  EXPECT_EQ(keep.num_batches(), 4u);
}

TEST(DataLoader, WorkerCountDoesNotChangeBatches) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(203));
  auto blocks = numeric_blocks(*records);
  // Random item transform: each batch's noise must come from its own (seed, epoch, batch) stream.
  std::vector<std::shared_ptr<const Transform>> noise = {std::make_shared<GaussianNoise>("x", 0.5, 0.5)};
  std::vector<std::vector<Batch>> runs;
  for (int64_t workers : {0, 1, 2}) {
    DataLoader dl(records, iota(203), blocks, noise, Split::train,
                  DataLoaderOptions().batch_size(10).workers(workers).prefetch(3).seed(11));
    EXPECT_FALSE(dl.cached());
    runs.push_back(epoch(dl, 2));
    EXPECT_GE(dl.wait_seconds(), 0.0);
  }
  expect_same_batches(runs[0], runs[1]);
  expect_same_batches(runs[0], runs[2]);

  // The cached fast path gives the same batches as encoding per batch.
  DataLoader fast(records, iota(203), blocks, {}, Split::train, DataLoaderOptions().batch_size(10).workers(2).seed(11));
  DataLoader slow(records, iota(203), blocks, {}, Split::train,
                  DataLoaderOptions().batch_size(10).workers(2).seed(11).max_cache_bytes(0));
  EXPECT_TRUE(fast.cached());
  EXPECT_FALSE(slow.cached());
  expect_same_batches(epoch(fast, 1), epoch(slow, 1));
}

TEST(DataLoader, StoppingMidEpochAndRestarting) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(100));
  auto blocks = numeric_blocks(*records);
  DataLoader dl(records, iota(100), blocks, {}, Split::train,
                DataLoaderOptions().batch_size(4).workers(2).prefetch(2).max_cache_bytes(0));
  dl.start_epoch();
  ASSERT_TRUE(dl.next());
  ASSERT_TRUE(dl.next());
  auto full = epoch(dl, 0);  // start_epoch stops the running one cleanly
  EXPECT_EQ(full.size(), 25u);
  EXPECT_FALSE(dl.next());  // finished until the next start_epoch
}

// Counts the items it sees, to tell kept batches from recomputed ones.
struct CountingTransform : Transform {
  mutable std::atomic<int64_t> applied{0};
  TransformLevel level() const override { return TransformLevel::item; }
  void apply(TensorDict&, Rng&) const override { ++applied; }
};

TEST(DataLoader, PreparedEpochKeepsItsBatches) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(203));
  auto blocks = numeric_blocks(*records);
  auto counter = std::make_shared<CountingTransform>();
  std::vector<std::shared_ptr<const Transform>> transforms = {std::make_shared<GaussianNoise>("x", 0.5, 0.5), counter};
  DataLoader dl(records, iota(203), blocks, transforms, Split::train,
                DataLoaderOptions().batch_size(10).workers(1).prefetch(3).seed(11));
  const auto fresh = epoch(dl, 1);
  ASSERT_EQ(fresh.size(), 20u);

  // Prepared, the workers fill the queue before anyone asks; start_epoch for that epoch keeps it.
  counter->applied = 0;
  dl.prepare_epoch(1);
  while (counter->applied < 30) std::this_thread::yield();
  expect_same_batches(fresh, epoch(dl, 1));
  EXPECT_EQ(counter->applied, 200);  // every item produced once

  // A prepared epoch that training does not ask for is dropped, not served.
  dl.prepare_epoch(2);
  expect_same_batches(fresh, epoch(dl, 1));
}

TEST(DataLoader, WorkerErrorsSurfaceInOrder) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(40));
  auto blocks = numeric_blocks(*records);
  auto bad = std::make_shared<Records>(Records({"id", "label", "value", "group"}, "bad.csv"));
  for (size_t i = 0; i < 40; ++i) {
    bad->add_row({std::to_string(i), "c0", i == 30 ? "oops" : "1", "g"}, "bad.csv:" + std::to_string(i + 2));
  }
  DataLoader dl(bad, iota(40), blocks, {}, Split::valid, DataLoaderOptions().batch_size(10).workers(2).max_cache_bytes(0));
  dl.start_epoch();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(dl.next());
  EXPECT_THROW_WITH(dl.next(), DataError, "bad.csv:32", "\"oops\"");
  // The cache build reports the same error at construction.
  EXPECT_THROW_WITH(DataLoader(bad, iota(40), blocks, {}, Split::valid, DataLoaderOptions()), DataError, "bad.csv:32");
}

TEST(DataLoader, WeightedSamplerBalancesClasses) {
  // 90% "c0", 10% "c1".
  auto records = std::make_shared<Records>(Records({"label", "value"}, "imbalanced"));
  for (int i = 0; i < 1000; ++i) records->add_row({i % 10 == 0 ? "c1" : "c0", "1"});
  auto blocks = numeric_blocks(*records);
  DataLoader dl(records, iota(1000), blocks, {}, Split::train,
                DataLoaderOptions().batch_size(50).sampler("weighted").seed(3));
  std::map<int64_t, int> counts;
  for (int e = 0; e < 4; ++e)
    for (const auto& b : epoch(dl, e)) {
      auto y = b.at("y");
      for (int64_t i = 0; i < y.numel(); ++i) ++counts[y[i].item<int64_t>()];
    }
  const double share = counts[1] / double(counts[0] + counts[1]);
  EXPECT_NEAR(share, 0.5, 0.05);  // 4000 draws: std of the share ~0.008
  // The same seed draws the same rows.
  DataLoader again(records, iota(1000), blocks, {}, Split::train,
                   DataLoaderOptions().batch_size(50).sampler("weighted").seed(3));
  EXPECT_EQ(row_order(epoch(again, 0)), row_order(epoch(dl, 0)));
}

TEST(DataLoader, BucketSamplerReducesPadding) {
  // Sequences of length 1..64 in random order.
  auto records = std::make_shared<Records>(Records({"tokens", "label"}, "seqs"));
  Rng rng(1);
  for (int i = 0; i < 512; ++i) {
    const int64_t n = rng.integer(1, 65);
    std::string s;
    for (int64_t k = 0; k < n; ++k) s += "7 ";
    records->add_row({s, i % 2 ? "a" : "b"});
  }
  auto blocks = std::make_shared<DataBlocks>(
      std::vector<BoundBlock>{{"x", std::make_shared<adapt::testing::TokensBlock>("tokens")}},
      BoundBlock{"y", std::make_shared<CategoryBlock>(CategoryBlockOptions("label"))});
  blocks->setup(*records);
  auto padding = [&](const std::string& sampler) {
    DataLoader dl(records, iota(512), blocks, {}, Split::train,
                  DataLoaderOptions().batch_size(16).sampler(sampler).seed(2));
    int64_t pad = 0;
    for (const auto& b : epoch(dl, 0)) pad += (~b.at("x.mask")).sum().item<int64_t>();
    EXPECT_EQ(row_order(epoch(dl, 0)).size(), 512u);
    return pad;
  };
  const int64_t random_pad = padding("random");
  const int64_t bucket_pad = padding("bucket");
  EXPECT_LT(bucket_pad * 5, random_pad) << "bucket " << bucket_pad << " vs random " << random_pad;

  // Without shuffle (validation) the bucket sampler sorts by length, longest first.
  DataLoader valid(records, iota(512), blocks, {}, Split::valid, DataLoaderOptions().batch_size(64).sampler("bucket"));
  auto batches = epoch(valid, 0);
  EXPECT_GE(batches.front().at("x").size(1), batches.back().at("x").size(1));
  EXPECT_FALSE(valid.cached());  // sequences pad per batch

  auto numeric = numeric_blocks(adapt::testing::make_records(10));
  EXPECT_THROW_WITH(DataLoader(std::make_shared<Records>(adapt::testing::make_records(10)), iota(10), numeric, {},
                               Split::train, DataLoaderOptions().sampler("bucket")),
                    OptionError, "bucket", "sequence");
}

TEST(DataLoader, ShardsBatchesAcrossRanks) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(100));
  auto blocks = numeric_blocks(*records);
  DataLoader whole(records, iota(100), blocks, {}, Split::train, DataLoaderOptions().batch_size(10).seed(4));
  auto all = row_order(epoch(whole, 3));
  std::vector<int64_t> joined;
  std::vector<std::vector<Batch>> per_rank;
  for (int64_t rank = 0; rank < 3; ++rank) {
    DataLoader dl(records, iota(100), blocks, {}, Split::train,
                  DataLoaderOptions().batch_size(10).seed(4).rank(rank).world_size(3));
    EXPECT_EQ(dl.num_batches(), 3u);  // 10 batches, drop_last: every rank takes 3 steps
    per_rank.push_back(epoch(dl, 3));
    EXPECT_EQ(per_rank.back().size(), 3u);
  }
  // Rank r holds batches r, r + 3, r + 6 of the single-process order.
  for (size_t k = 0; k < 3; ++k)
    for (size_t r = 0; r < 3; ++r) {
      auto rows = row_order({per_rank[r][k]});
      std::vector<int64_t> expected(all.begin() + (r + 3 * k) * 10, all.begin() + (r + 3 * k + 1) * 10);
      EXPECT_EQ(rows, expected);
    }
  EXPECT_THROW(DataLoader(records, iota(100), blocks, {}, Split::train, DataLoaderOptions().rank(2).world_size(2)),
               OptionError);
}

TEST(DataLoaderOptions, FromJsonValidatesAndRoundTrips) {
  auto o = DataLoaderOptions::from_json({{"batch_size", 32}, {"workers", 2}, {"sampler", "weighted"}, {"seed", 9}});
  EXPECT_EQ(o.batch_size(), 32);
  EXPECT_EQ(o.workers(), 2);
  EXPECT_EQ(o.sampler(), "weighted");
  EXPECT_EQ(o.seed(), 9u);
  EXPECT_FALSE(o.shuffle().has_value());
  auto back = DataLoaderOptions::from_json(o.to_json());
  EXPECT_EQ(back.to_json(), o.to_json());
  EXPECT_THROW_WITH(DataLoaderOptions::from_json({{"batch_size", 0}}), OptionError, "loader.batch_size");
  EXPECT_THROW_WITH(DataLoaderOptions::from_json({{"sampler", "fancy"}}), OptionError, "loader.sampler", "\"fancy\"");
  EXPECT_THROW_WITH(DataLoaderOptions::from_json({{"batchsize", 3}}), OptionError, "batchsize");
}

TEST(DataLoader, FastPathServesLargeSplitsQuickly) {
  // 100k rows, two category inputs and a regression target: encoded once, served by index gathers.
  const size_t n = 100000;
  auto records = std::make_shared<Records>(Records({"user", "item", "rating"}, "ratings"));
  for (size_t i = 0; i < n; ++i)
    records->add_row({std::to_string(i % 610), std::to_string(i % 9742), std::to_string(0.5 * double(i % 10))});
  auto blocks = std::make_shared<DataBlocks>(
      std::vector<BoundBlock>{{"x", std::make_shared<CategoryBlock>(CategoryBlockOptions("user"))},
                              {"x1", std::make_shared<CategoryBlock>(CategoryBlockOptions("item"))}},
      BoundBlock{"y", std::make_shared<RegressionBlock>(RegressionBlockOptions({"rating"}))});
  blocks->setup(*records);
  DataLoader dl(records, iota(n), blocks, {}, Split::train, DataLoaderOptions().batch_size(64).workers(1));
  EXPECT_TRUE(dl.cached());
  const auto start = std::chrono::steady_clock::now();
  size_t items = 0;
  for (const auto& b : epoch(dl, 0)) items += static_cast<size_t>(b.at("y").size(0));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(items, n / 64 * 64);
  EXPECT_LT(seconds, 5.0);  // ~1560 gathers; per-batch encoding would take far longer
  RecordProperty("epoch_seconds", std::to_string(seconds));
}
