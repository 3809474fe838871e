// recsys.ids' sanity noise through the real plugin host: a random user and a random item with rows of
// their own (vocab: drawn uniformly from the training ids; hash: random ids, so rows all over).
#include <torch/torch.h>

#include <set>

#include "adapt/data/block.h"
#include "recsys_test_util.h"

namespace adapt {
namespace ids_noise_test {

Records ratings() {
  Records r({"user", "item", "rating", "timestamp"}, "test");
  for (size_t i = 0; i < 60; ++i)
    r.add_row({"u" + std::to_string(i % 6), "i" + std::to_string(i % 10), "3", std::to_string(i)},
              "test:" + std::to_string(i));
  return r;
}

TEST(IdsNoise, RandomKnownIdsInEveryMode) {
  const Records records = ratings();
  for (const char* mode : {"vocab", "hash"}) {
    auto block =
        recsys_test::registry().block(json{{"name", "recsys.ids"}, {"mode", mode}, {"buckets", 64}}, "inputs[0]");
    block->setup(records);
    EXPECT_EQ(block->noise_kinds(), std::vector<std::string>{"random ids"});
    const json dims = block->dims();
    NoiseContext ctx;
    ctx.seed = 3;
    const EncodeContext valid{Split::valid, nullptr};
    std::set<int64_t> users, items;
    for (size_t row = 0; row < records.size(); ++row) {
      const TensorDict real = block->encode(records, row, valid);
      const TensorDict noise = block->noise(records, row, valid, "random ids", ctx);
      for (const char* key : {"user", "item"}) {
        ASSERT_EQ(noise.at(key).sizes(), real.at(key).sizes()) << mode << " " << key;
        ASSERT_EQ(noise.at(key).scalar_type(), torch::kInt64);
        const auto t = noise.at(key);
        EXPECT_GE(t.min().item<int64_t>(), 1) << mode << " " << key << ": the unknown row is no random id";
      }
      users.insert(noise.at("user")[0].item<int64_t>());
      items.insert(noise.at("item")[0].item<int64_t>());
    }
    if (std::string(mode) == "vocab") {
      EXPECT_EQ(users, (std::set<int64_t>{1, 2, 3, 4, 5, 6})) << "every training user, and only those";
      EXPECT_EQ(items.size(), 10u);
      EXPECT_EQ(*items.rbegin(), 10);
    } else {
      EXPECT_GT(items.size(), 20u) << "hash mode: random ids land all over the table";
      EXPECT_LE(*items.rbegin(), 64);
    }
  }
}

}  // namespace ids_noise_test
}  // namespace adapt
