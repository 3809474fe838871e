// protein.sequence's explanation parts through the real plugin host: each residue between <cls> and
// <eos>, deleted, named by itself and its position.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/data/block.h"
#include "protein_test_support.h"

namespace adapt {
namespace sequence_parts_test {

TEST(SequenceParts, EachResidueDeletedAndNamedByItsPosition) {
  Records records({"sequence", "label"}, "memory");
  records.add_row({"MKT", "amp"}, "memory:1");
  records.add_row({"GLFD", "non"}, "memory:2");
  auto block = protein::testing::protein_registry().block(json{{"name", "protein.sequence"}}, "inputs[0]");
  block->setup(records);
  EncodeContext ctx;
  ctx.split = Split::predict;
  const TensorDict item = block->encode(records, 0, ctx);  // <cls> M K T <eos>
  const auto parts = block->parts(records, 0, item);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "M1");
  EXPECT_EQ(parts[2].name, "T3");
  const torch::Tensor& ids = item.at("");
  const torch::Tensor without_k = parts[1].without.at("");
  ASSERT_EQ(without_k.size(0), 4);
  EXPECT_EQ(without_k[0].item<int64_t>(), ids[0].item<int64_t>());  // <cls> kept
  EXPECT_EQ(without_k[1].item<int64_t>(), ids[1].item<int64_t>());  // M
  EXPECT_EQ(without_k[2].item<int64_t>(), ids[3].item<int64_t>());  // T
  EXPECT_EQ(without_k[3].item<int64_t>(), ids[4].item<int64_t>());  // <eos> kept
}

}  // namespace sequence_parts_test
}  // namespace adapt
