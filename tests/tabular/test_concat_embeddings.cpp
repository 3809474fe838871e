// concat_embeddings (tabular/src): the categorical columns' lookups in one operation give what one
// torch::nn::Embedding per column, concatenated, gives, bit for bit, forward and backward.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/common/error.h"
#include "concat_embeddings.h"

namespace adapt::tabular {
namespace {

struct Reference {
  torch::Tensor out;
  std::vector<torch::Tensor> grads;
};

// One embedding per column and torch::cat, as tabular.model did before.
Reference one_by_one(const torch::Tensor& ids, const std::vector<torch::Tensor>& tables, const torch::Tensor& grad) {
  std::vector<torch::Tensor> leaves, columns;
  for (size_t t = 0; t < tables.size(); ++t) {
    leaves.push_back(tables[t].detach().clone().requires_grad_());
    columns.push_back(torch::embedding(leaves.back(), ids.select(1, static_cast<int64_t>(t))));
  }
  Reference r{torch::cat(columns, 1), {}};
  r.out.backward(grad);
  for (auto& l : leaves) r.grads.push_back(l.grad());
  return r;
}

void expect_same_as_one_by_one(int64_t batch) {
  torch::manual_seed(batch);
  const std::vector<int64_t> rows = {5, 1, 7, 42}, widths = {3, 2, 4, 11};
  std::vector<torch::Tensor> tables;
  std::vector<torch::Tensor> id_columns;
  for (size_t t = 0; t < rows.size(); ++t) {
    tables.push_back(torch::randn({rows[t], widths[t]}).requires_grad_());
    id_columns.push_back(torch::randint(0, rows[t], {batch, 1}, torch::kLong));  // repeats: rows add up
  }
  const torch::Tensor ids = torch::cat(id_columns, 1);
  const torch::Tensor grad = torch::randn({batch, 20});
  const Reference expected = one_by_one(ids, tables, grad);
  ASSERT_TRUE(concat_embeddings_applies(tables));
  const torch::Tensor out = concat_embeddings(ids, tables);
  EXPECT_TRUE(torch::equal(out, expected.out)) << "batch " << batch;
  out.backward(grad);
  for (size_t t = 0; t < tables.size(); ++t)
    EXPECT_TRUE(torch::equal(tables[t].grad(), expected.grads[t])) << "batch " << batch << ", table " << t;
}

TEST(ConcatEmbeddings, MatchesOneEmbeddingPerColumnBitForBit) {
  for (int64_t batch : {1, 64, 256, 3000}) expect_same_as_one_by_one(batch);
}

TEST(ConcatEmbeddings, MatchesOnSeveralThreads) {
  const int threads = torch::get_num_threads();
  torch::set_num_threads(2);
  expect_same_as_one_by_one(1024);
  torch::set_num_threads(threads);
}

TEST(ConcatEmbeddings, AnIdOutsideItsTableIsAnErrorNamingTheColumn) {
  const std::vector<torch::Tensor> tables = {torch::zeros({3, 2}), torch::zeros({4, 2})};
  const torch::Tensor ids = torch::tensor({0, 1, 2, 4}, torch::kLong).view({2, 2});
  try {
    concat_embeddings(ids, tables);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("column 1 has id 4 outside its embedding table of 4 rows"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(concat_embeddings(ids.view({4}), tables), Error);
  EXPECT_FALSE(concat_embeddings_applies({torch::zeros({3, 2}, torch::kDouble)}));
  EXPECT_FALSE(concat_embeddings_applies({torch::zeros({2, 3}).t()}));
}

}  // namespace
}  // namespace adapt::tabular
