// Block::noise, the default sanity noise every block has, and NoiseContext::shuffled_row, the
// per-column permutation plugins build their noise from.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <set>

#include "adapt/data/block.h"
#include "adapt/data/regression_block.h"
#include "core/support/data_fixtures.h"

namespace adapt {
namespace block_noise_test {

std::vector<size_t> every_other_row(size_t n) {  // a split that is not 0..n-1
  std::vector<size_t> rows;
  for (size_t r = 0; r < n; ++r) rows.push_back(3 + 2 * r);
  return rows;
}

TEST(BlockNoise, ShuffledRowIsAPermutationOfTheSplitPerColumn) {
  for (size_t n : {1, 2, 3, 5, 17, 64, 1000}) {
    const std::vector<size_t> rows = every_other_row(n);
    NoiseContext ctx;
    ctx.seed = 42;
    ctx.split_rows = &rows;
    std::vector<size_t> image0, image1;
    for (size_t row : rows) {
      image0.push_back(ctx.shuffled_row(row, 0));
      image1.push_back(ctx.shuffled_row(row, 1));
    }
    std::vector<size_t> sorted0 = image0, sorted1 = image1;
    std::sort(sorted0.begin(), sorted0.end());
    std::sort(sorted1.begin(), sorted1.end());
    EXPECT_EQ(sorted0, rows) << n << " rows: column 0's shuffle is not a permutation of the split";
    EXPECT_EQ(sorted1, rows) << n << " rows: column 1's shuffle is not a permutation of the split";
    if (n >= 17) {
      EXPECT_NE(image0, rows) << n << " rows: the shuffle left every row in place";
      EXPECT_NE(image0, image1) << n << " rows: two columns got the same shuffle";
      size_t fixed = 0;
      for (size_t i = 0; i < n; ++i) fixed += image0[i] == rows[i];
      EXPECT_LT(fixed, n / 4) << n << " rows: " << fixed << " rows kept their own value";
    }
    NoiseContext again = ctx;  // a function of (seed, row, column) alone
    EXPECT_EQ(again.shuffled_row(rows.back(), 0), image0.back());
  }
}

TEST(BlockNoise, ShuffledRowRefusesARowOutsideTheSplit) {
  const std::vector<size_t> rows = every_other_row(5);
  NoiseContext ctx;
  ctx.split_rows = &rows;
  EXPECT_THROW(ctx.shuffled_row(4, 0), Error);
  NoiseContext none;
  EXPECT_THROW(none.shuffled_row(3, 0), Error);
}

TEST(BlockNoise, DefaultNoiseKeepsShapesDrawsFloatsAndIntegersInRange) {
  // Integers: uniform over the given training range, with the row's shape (the fixture's tokens).
  testing::TokensBlock tokens("t");
  Records records({"t", "v"}, "noise.csv");
  records.add_row({"5 6 7 8 9 10 11 12", "1.5"}, "noise.csv:2");
  records.add_row({"5 6", "2.5"}, "noise.csv:3");
  EXPECT_EQ(tokens.noise_kinds(), std::vector<std::string>{"generic"});
  NoiseContext ctx;
  ctx.seed = 7;
  ctx.integer_ranges[""] = {100, 103};
  const EncodeContext valid{Split::valid, nullptr};
  std::set<int64_t> seen;
  for (int rep = 0; rep < 20; ++rep) {
    ctx.seed = static_cast<uint64_t>(rep);
    const TensorDict item = tokens.noise(records, 0, valid, "generic", ctx);
    const auto& t = item.at("");
    ASSERT_EQ(t.sizes(), (std::vector<int64_t>{8}));
    ASSERT_EQ(t.scalar_type(), torch::kInt64);
    for (int64_t i = 0; i < 8; ++i) seen.insert(t[i].item<int64_t>());
  }
  EXPECT_EQ(seen, (std::set<int64_t>{100, 101, 102, 103}));

  // Floats: N(0, 1), whatever the row holds.
  RegressionBlock value(RegressionBlockOptions(std::vector<std::string>{"v"}));
  value.setup(records);
  std::vector<float> draws;
  for (uint64_t s = 0; s < 2000; ++s) {
    ctx.seed = s;
    const auto t = value.noise(records, 0, valid, "generic", ctx).at("");
    ASSERT_TRUE(t.is_floating_point());
    draws.push_back(t.reshape({-1})[0].item<float>());
  }
  const auto d = torch::tensor(draws);
  EXPECT_NEAR(d.mean().item<double>(), 0.0, 0.1);
  EXPECT_NEAR(d.std().item<double>(), 1.0, 0.1);

  ctx.seed = 3;  // deterministic in (seed, row)
  EXPECT_TRUE(torch::equal(tokens.noise(records, 1, valid, "generic", ctx).at(""),
                           tokens.noise(records, 1, valid, "generic", ctx).at("")));
}

}  // namespace block_noise_test
}  // namespace adapt
