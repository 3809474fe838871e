// Transforms in the loader: random ones only on train, deterministic ones everywhere, probability p,
// batch-level transforms on collated batches.
#include <gtest/gtest.h>

#include "adapt/data/category_block.h"
#include "adapt/data/data_loader.h"
#include "adapt/data/gaussian_noise.h"
#include "adapt/data/regression_block.h"
#include "core/support/data_fixtures.h"

using namespace adapt;

namespace {

std::shared_ptr<DataBlocks> transform_numeric_blocks(const Records& records) {
  auto blocks = std::make_shared<DataBlocks>(
      std::vector<BoundBlock>{{"x", std::make_shared<RegressionBlock>(RegressionBlockOptions({"value"}))}},
      BoundBlock{"y", std::make_shared<CategoryBlock>(CategoryBlockOptions("label"))});
  blocks->setup(records);
  return blocks;
}

// Deterministic preprocessing that must run on every split: doubles x.
class Doubler : public Transform {
 public:
  TransformLevel level() const override { return TransformLevel::batch; }
  bool on_valid() const override { return true; }
  void apply(TensorDict& data, Rng&) const override { data["x"] = data["x"] * 2; }
};

// Random batch-level flag: counts how many batches it touched.
class Marker : public Transform {
 public:
  explicit Marker(double p) : p_(p) {}
  TransformLevel level() const override { return TransformLevel::batch; }
  double p() const override { return p_; }
  void apply(TensorDict& data, Rng&) const override { data["marked"] = torch::ones({1}); }

 private:
  double p_;
};

torch::Tensor all_x(DataLoader& dl) {
  std::vector<torch::Tensor> xs;
  dl.start_epoch();
  while (auto b = dl.next()) xs.push_back(b->at("x"));
  return torch::cat(xs);
}

}  // namespace

TEST(Transforms, RandomAugmentationNeverRunsOnValid) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(40));
  auto blocks = transform_numeric_blocks(*records);
  std::vector<size_t> rows(40);
  for (size_t i = 0; i < 40; ++i) rows[i] = i;
  std::vector<std::shared_ptr<const Transform>> noise = {std::make_shared<GaussianNoise>("x", 1.0, 1.0)};
  auto opts = DataLoaderOptions().batch_size(8).shuffle(false).drop_last(false).workers(0);

  DataLoader clean(records, rows, blocks, {}, Split::train, opts);
  const torch::Tensor expected = all_x(clean);
  for (Split split : {Split::valid, Split::test, Split::predict}) {
    DataLoader dl(records, rows, blocks, noise, split, opts);
    EXPECT_TRUE(torch::equal(all_x(dl), expected)) << to_string(split);
  }
  DataLoader train(records, rows, blocks, noise, Split::train, opts);
  const torch::Tensor noisy = all_x(train);
  EXPECT_FALSE(train.cached());  // item transforms rule out the encode-once cache
  EXPECT_GT((noisy - expected).abs().mean().item<double>(), 0.3);  // N(0, 1) noise: E|z| = 0.8
}

TEST(Transforms, ProbabilityZeroNeverAppliesAndOneAlways) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(64));
  auto blocks = transform_numeric_blocks(*records);
  std::vector<size_t> rows(64);
  for (size_t i = 0; i < 64; ++i) rows[i] = i;
  auto opts = DataLoaderOptions().batch_size(4).workers(0);
  auto count_marked = [&](double p) {
    DataLoader dl(records, rows, blocks, {std::make_shared<Marker>(p)}, Split::train, opts);
    int marked = 0;
    dl.start_epoch();
    while (auto b = dl.next()) marked += b->count("marked");
    return marked;
  };
  EXPECT_EQ(count_marked(0.0), 0);
  EXPECT_EQ(count_marked(1.0), 16);
  const int half = count_marked(0.5);
  EXPECT_GT(half, 2);
  EXPECT_LT(half, 14);
}

TEST(Transforms, DeterministicTransformsRunOnEverySplit) {
  auto records = std::make_shared<Records>(adapt::testing::make_records(10));
  auto blocks = transform_numeric_blocks(*records);
  std::vector<size_t> rows = {0, 1, 2, 3};
  auto opts = DataLoaderOptions().batch_size(4).workers(1);
  DataLoader dl(records, rows, blocks, {std::make_shared<Doubler>()}, Split::valid, opts);
  EXPECT_TRUE(dl.cached());  // batch transforms keep the fast path
  dl.start_epoch();
  auto b = dl.next();
  ASSERT_TRUE(b);
  EXPECT_TRUE(torch::allclose(b->at("x").flatten(), torch::tensor({0.0f, 1.0f, 2.0f, 3.0f})));
}

TEST(GaussianNoise, RejectsIntegerTensorsAndBadOptions) {
  GaussianNoise noise("y", 0.1);
  TensorDict d = {{"y", torch::tensor({1, 2}, torch::kInt64)}};
  Rng rng(1);
  EXPECT_THROW_WITH(noise.apply(d, rng), Error, "\"y\"", "floating-point");
  TensorDict missing = {{"x", torch::zeros({2})}};
  EXPECT_THROW_WITH(noise.apply(missing, rng), Error, "\"y\"", "\"x\"");
  EXPECT_THROW(GaussianNoise("x", -1.0), OptionError);
  EXPECT_THROW(GaussianNoise("x", 0.1, 2.0), OptionError);
}
