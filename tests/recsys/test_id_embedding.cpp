// IdEmbedding: tables initialised as before (seeded runs keep their numbers) and gathers that equal
// index_select, on tables large enough to be backed by huge pages (memory.h) as on small ones.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "id_embedding.h"

using adapt::recsys::IdEmbedding;
using adapt::recsys::IdTables;

namespace {

IdTables tables(std::vector<int64_t> sizes, int64_t slots, bool shared) {
  IdTables t;
  t.sizes = std::move(sizes);
  t.slots = slots;
  t.shared = shared;
  return t;
}

}  // namespace

TEST(RecsysIdEmbedding, InitialisationDrawsAsTorchEmbeddingThenScales) {
  torch::manual_seed(7);
  IdEmbedding ours(tables({50, 30}, 2, false), 8, true, 0.01);
  torch::manual_seed(7);
  for (int64_t rows : {50, 30}) {
    torch::nn::Embedding reference(torch::nn::EmbeddingOptions(rows, 8));  // draws N(0, 1)
    torch::NoGradGuard no_grad;
    reference->weight.normal_(0.0, 0.01);
    reference->weight[0].zero_();
    const auto& table = ours->embeddings()[rows == 50 ? 0 : 1]->weight;
    EXPECT_TRUE(torch::equal(table, reference->weight)) << rows << " rows";
    EXPECT_TRUE(table.requires_grad());
  }
}

TEST(RecsysIdEmbedding, GathersFromLargeTablesEqualIndexSelect) {
  // 40,000 x 32 floats = 5 MiB per table: larger than the L2 cache.
  const int64_t rows = 40000;
  torch::manual_seed(3);
  torch::Tensor ids = torch::randint(0, rows, {257, 2}, torch::kInt64);
  ids[0][0] = rows - 1;  // the table's last row
  ids[1][1] = 0;
  IdEmbedding separate(tables({rows, rows}, 2, false), 32, true, 0.1);
  torch::Tensor expected = separate->embeddings()[0]->weight.index_select(0, ids.select(1, 0)) +
                           separate->embeddings()[1]->weight.index_select(0, ids.select(1, 1));
  EXPECT_TRUE(torch::equal(separate->forward(ids), expected));

  IdEmbedding shared(tables({rows}, 2, true), 32, true, 0.1);
  const auto& table = shared->embeddings()[0]->weight;
  EXPECT_TRUE(torch::equal(shared->forward(ids), table.index_select(0, ids.select(1, 0)) +
                                                     table.index_select(0, ids.select(1, 1))));
}

TEST(RecsysIdEmbedding, IdsOutsideTheTableStillFailInTheGather) {
  IdEmbedding big(tables({40000}, 1, false), 32, true, 0.1);
  torch::Tensor ids = torch::tensor({{1}, {40000}}, torch::kInt64);
  EXPECT_THROW(big->forward(ids), c10::Error);
}
