// recsys.ids' explanation parts through the real plugin host: the user and the item, each replaced
// by the unknown id (row 0 of every table), in every mode.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/data/block.h"
#include "recsys_test_util.h"

namespace adapt {
namespace ids_parts_test {

TEST(IdsParts, TheUserAndTheItemEachBecomeTheUnknownId) {
  Records records({"user", "item", "rating", "timestamp"}, "test");
  for (size_t i = 0; i < 12; ++i)
    records.add_row({"u" + std::to_string(i % 3), "i" + std::to_string(i % 4), "3", std::to_string(i)},
                    "test:" + std::to_string(i));
  for (const char* mode : {"vocab", "hash"}) {
    auto block =
        recsys_test::registry().block(json{{"name", "recsys.ids"}, {"mode", mode}, {"buckets", 64}}, "inputs[0]");
    block->setup(records);
    const EncodeContext predict{Split::predict, nullptr};
    const TensorDict item = block->encode(records, 5, predict);
    const auto parts = block->parts(records, 5, item);
    ASSERT_EQ(parts.size(), 2u) << mode;
    EXPECT_EQ(parts[0].name, "user=u2");
    EXPECT_EQ(parts[1].name, "item=i1");
    EXPECT_EQ(parts[0].without.at("user").abs().sum().item<int64_t>(), 0) << mode;
    EXPECT_TRUE(torch::equal(parts[0].without.at("item"), item.at("item"))) << mode;
    EXPECT_EQ(parts[1].without.at("item").abs().sum().item<int64_t>(), 0) << mode;
    EXPECT_TRUE(torch::equal(parts[1].without.at("user"), item.at("user"))) << mode;
  }
}

}  // namespace ids_parts_test
}  // namespace adapt
