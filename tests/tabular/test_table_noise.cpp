// tabular.table's sanity noise through the real plugin host: every column shuffled on its own
// across the split's rows (each column keeps its multiset of values; the rows' relations go).
#include <torch/torch.h>

#include <algorithm>

#include "adapt/data/block.h"
#include "support/noise_items.h"
#include "tabular_test_util.h"

namespace adapt {
namespace table_noise_test {

using tabular_test::make_records;
using tabular_test::registry;

// 40 rows where size and weight follow the colour exactly (red 1/10, blue 2/20, green 3/30).
Records linked_table() {
  std::vector<std::string> color, size, weight;
  const std::vector<std::string> names = {"red", "blue", "green"};
  for (size_t r = 0; r < 40; ++r) {
    const size_t c = (r * 7) % 3;
    color.push_back(names[c]);
    size.push_back(std::to_string(c + 1));
    weight.push_back(std::to_string(10 * (c + 1)));
  }
  return make_records({{"color", color}, {"size", size}, {"weight", weight}});
}

std::vector<double> sorted_column(const std::vector<TensorDict>& items, const std::string& key, int64_t j) {
  std::vector<double> out;
  for (const auto& item : items) out.push_back(item.at(key)[j].item<double>());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(TableNoise, PermutedColumnsKeepEachColumnsValuesAndBreakTheirRelations) {
  auto block = registry().block(json{{"name", "tabular.table"}, {"cat_names", {"color"}},
                                     {"cont_names", {"size", "weight"}}},
                                "inputs[0]");
  const Records records = linked_table();
  block->setup(records);
  EXPECT_EQ(block->noise_kinds(), std::vector<std::string>{"permuted columns"});
  // The split: the even rows.
  std::vector<size_t> split;
  for (size_t r = 0; r < records.size(); r += 2) split.push_back(r);
  const auto items = test_support::noise_items(*block, records, split, "permuted columns", 11);
  const auto& real = items.real;
  const auto& noise = items.noise;
  for (size_t i = 0; i < split.size(); ++i) {
    for (const auto& [key, t] : real[i]) {
      ASSERT_TRUE(noise[i].count(key)) << key;
      EXPECT_EQ(noise[i].at(key).sizes(), t.sizes()) << key;
      EXPECT_EQ(noise[i].at(key).scalar_type(), t.scalar_type()) << key;
    }
  }
  // Every feature keeps its multiset of values over the split.
  const int64_t n_cat = real[0].at("cat").size(0), n_cont = real[0].at("cont").size(0);
  for (int64_t j = 0; j < n_cat; ++j)
    EXPECT_EQ(sorted_column(noise, "cat", j), sorted_column(real, "cat", j)) << "cat " << j;
  for (int64_t j = 0; j < n_cont; ++j)
    EXPECT_EQ(sorted_column(noise, "cont", j), sorted_column(real, "cont", j)) << "cont " << j;
  // The relations are gone: the noise rows whose colour, size and weight still agree as in the data
  // are about a ninth of them when each column is shuffled on its own (here 20 rows).
  size_t consistent = 0, moved = 0;
  for (size_t i = 0; i < split.size(); ++i) {
    const auto c = noise[i].at("cat")[0].item<int64_t>();
    const auto s = noise[i].at("cont")[0].item<float>(), w = noise[i].at("cont")[1].item<float>();
    bool agrees = false;
    for (const auto& r : real)
      agrees = agrees || (r.at("cat")[0].item<int64_t>() == c && r.at("cont")[0].item<float>() == s &&
                          r.at("cont")[1].item<float>() == w);
    consistent += agrees;
    moved += !torch::equal(noise[i].at("cont"), real[i].at("cont"));
  }
  EXPECT_LT(consistent, split.size() / 2) << "the columns were shuffled together, keeping their relation";
  EXPECT_GT(moved, split.size() / 2);
  // Deterministic in (seed, row); a row outside the split is an error, not silent noise.
  NoiseContext ctx;
  ctx.seed = 11;
  ctx.split_rows = &split;
  const EncodeContext valid{Split::valid, nullptr};
  EXPECT_TRUE(torch::equal(block->noise(records, split[3], valid, "permuted columns", ctx).at("cont"),
                           noise[3].at("cont")));
  EXPECT_THROW(block->noise(records, 1, valid, "permuted columns", ctx), Error);
}

}  // namespace table_noise_test
}  // namespace adapt
