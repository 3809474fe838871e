// Training-only batch augmentations: gaussian noise, swap noise and mixup.
#include <torch/torch.h>

#include "adapt/common/rng.h"
#include "adapt/data/data_blocks.h"
#include "adapt/data/transform.h"
#include "tabular_test_util.h"

namespace adapt {
namespace {

using tabular_test::registry;

Batch make_batch() {
  const int64_t n = 64;
  return {{"x.cat", torch::arange(n * 3, torch::kInt64).view({n, 3}) % 7 + 1},
          {"x.cont", torch::arange(n * 2, torch::kFloat32).view({n, 2}) / 10.0},
          {"y", torch::arange(n, torch::kInt64) % 3}};
}

std::shared_ptr<Transform> make(const json& spec) { return registry().transform(spec, "transforms[0]"); }

TEST(TabularAugment, GaussianNoiseTouchesOnlyContinuousAndIsSeeded) {
  auto noise = make({{"name", "tabular.gaussian_noise"}, {"std", 0.5}});
  EXPECT_FALSE(noise->on_valid());
  EXPECT_EQ(noise->level(), TransformLevel::batch);
  Batch a = make_batch(), b = make_batch();
  const Batch original = make_batch();
  Rng ra(7), rb(7);
  noise->apply(a, ra);
  noise->apply(b, rb);
  EXPECT_TRUE(torch::equal(a.at("x.cont"), b.at("x.cont")));
  EXPECT_TRUE(torch::equal(a.at("x.cat"), original.at("x.cat")));
  const auto diff = a.at("x.cont") - original.at("x.cont");
  EXPECT_NEAR(diff.std().item<double>(), 0.5, 0.1);
  EXPECT_NEAR(diff.mean().item<double>(), 0.0, 0.15);
}

TEST(TabularAugment, SwapNoiseTakesValuesFromTheSameColumn) {
  Rng rng(3);
  Batch none = make_batch();
  make({{"name", "tabular.swap_noise"}, {"prob", 0.0}})->apply(none, rng);
  EXPECT_TRUE(torch::equal(none.at("x.cat"), make_batch().at("x.cat")));

  Batch all = make_batch();
  const auto original = make_batch().at("x.cat");
  make({{"name", "tabular.swap_noise"}, {"prob", 1.0}})->apply(all, rng);
  const auto swapped = all.at("x.cat");
  EXPECT_FALSE(torch::equal(swapped, original));
  for (int64_t c = 0; c < 3; ++c) {
    // every value still comes from its own column
    const auto allowed = std::get<0>(at::_unique(original.select(1, c)));
    EXPECT_TRUE(torch::isin(swapped.select(1, c), allowed).all().item<bool>());
  }
  Batch half = make_batch();
  make({{"name", "tabular.swap_noise"}, {"prob", 0.3}})->apply(half, rng);
  const double changed = (half.at("x.cat") != original).to(torch::kFloat64).mean().item<double>();
  EXPECT_GT(changed, 0.15);  // 0.3 * (1 - chance of drawing the same value)
  EXPECT_LT(changed, 0.35);
}

TEST(TabularAugment, MixupMakesSoftLabelsDominatedByTheRowsOwnClass) {
  const Records records = tabular_test::make_records({{"v", {"1", "2", "3"}}, {"label", {"a", "b", "c"}}});
  auto x = registry().block({{"name", "core.regression"}, {"columns", {"v"}}}, "inputs[0]");
  auto y = registry().block({{"name", "core.category"}, {"column", "label"}}, "target");
  DataBlocks blocks({{"x", x}}, {"y", y});
  blocks.setup(records);
  auto mixup = make({{"name", "tabular.mixup"}, {"alpha", 0.4}});
  mixup->setup(blocks);
  Batch batch = make_batch();
  const Batch original = make_batch();
  Rng rng(11);
  mixup->apply(batch, rng);
  const auto soft = batch.at("y");
  ASSERT_EQ(soft.sizes(), (std::vector<int64_t>{64, 3}));
  EXPECT_TRUE(torch::allclose(soft.sum(1), torch::ones({64})));
  const auto own = soft.gather(1, original.at("y").view({64, 1})).squeeze(1);
  EXPECT_TRUE((own >= 0.5 - 1e-6).all().item<bool>());
  EXPECT_TRUE(torch::equal(batch.at("x.cat"), original.at("x.cat")));  // categories of the dominant row
  EXPECT_FALSE(torch::equal(batch.at("x.cont"), original.at("x.cont")));
}

TEST(TabularAugment, MissingKeyIsExplained) {
  auto noise = make({{"name", "tabular.gaussian_noise"}, {"input", "table"}});
  Batch batch = make_batch();
  Rng rng(1);
  tabular_test::expect_error<Error>([&] { noise->apply(batch, rng); }, {"table.cont", "x.cont", "input"});
}

}  // namespace
}  // namespace adapt
