// tabular.table's explanation parts through the real plugin host: one per raw column, taken out as
// FillMissing fills a missing value (categorical codes to #na#, continuous features to the median).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/data/block.h"
#include "tabular_test_util.h"

namespace adapt {
namespace table_parts_test {

using tabular_test::make_records;
using tabular_test::registry;

TEST(TableParts, EachColumnTakenOutAsAMissingValueIsFilled) {
  auto block = registry().block(json{{"name", "tabular.table"}, {"cat_names", {"color"}},
                                     {"cont_names", {"size", "weight"}}},
                                "inputs[0]");
  const Records records = make_records({{"color", {"red", "blue", "green", "red", "blue"}},
                                        {"size", {"1", "2", "7", "4", ""}},
                                        {"weight", {"10", "20", "30", "40", "50"}}});
  block->setup(records);
  const EncodeContext predict{Split::predict, nullptr};
  const TensorDict item = block->encode(records, 0, predict);
  const auto parts = block->parts(records, 0, item);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "color=red");
  EXPECT_EQ(parts[1].name, "size=1");
  EXPECT_EQ(parts[2].name, "weight=10");
  // color: its code (and only it) is #na#.
  EXPECT_EQ(parts[0].without.at("cat")[0].item<int64_t>(), 0);
  EXPECT_TRUE(torch::equal(parts[0].without.at("cont"), item.at("cont")));
  // size: its value is what a missing size encodes to (row 4); weight untouched.
  const TensorDict missing = block->encode(records, 4, predict);
  EXPECT_FLOAT_EQ(parts[1].without.at("cont")[0].item<float>(), missing.at("cont")[0].item<float>());
  EXPECT_FLOAT_EQ(parts[1].without.at("cont")[1].item<float>(), item.at("cont")[1].item<float>());
  EXPECT_EQ(parts[1].without.at("cat")[0].item<int64_t>(), item.at("cat")[0].item<int64_t>());
}

}  // namespace table_parts_test
}  // namespace adapt
