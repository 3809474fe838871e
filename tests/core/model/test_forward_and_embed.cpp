// Model::forward_and_embed: one pass of the body gives exactly forward() and embed() where the model
// offers forward_from_embedding, and a model without it still gets both (two passes).
#include <gtest/gtest.h>

#include "adapt/model/mlp_model.h"

namespace forward_and_embed_test {

using namespace adapt;

// forward() reads its input directly: no forward_from_embedding.
class TwoPathModel : public Model {
 public:
  TwoPathModel() { linear_ = register_module("linear", torch::nn::Linear(3, 2)); }
  torch::Tensor forward(const Batch& batch) override { return linear_->forward(batch.at("x")); }
  torch::Tensor embed(const Batch& batch) override { return batch.at("x") * 2.0; }
  int64_t embedding_width() const override { return 3; }

 private:
  torch::nn::Linear linear_{nullptr};
};

TEST(ForwardAndEmbed, OnePassEqualsForwardAndEmbedBitForBit) {
  torch::manual_seed(1);
  MlpOptions o;
  o.in_features = 3, o.out_features = 4, o.layers = {8, 5}, o.y_range = {0.0, 5.0};
  MlpModel model(o);
  model.eval();
  const Batch batch{{"x", torch::randn({6, 3})}};
  const auto [outputs, features] = model.forward_and_embed(batch);
  EXPECT_TRUE(torch::equal(outputs, model.forward(batch)));
  EXPECT_TRUE(torch::equal(features, model.embed(batch)));
  EXPECT_TRUE(model.forward_from_embedding(features).defined());
}

TEST(ForwardAndEmbed, AModelWithoutAHeadOnItsEmbeddingRunsBoth) {
  TwoPathModel model;
  const Batch batch{{"x", torch::randn({4, 3})}};
  EXPECT_FALSE(model.forward_from_embedding(torch::zeros({4, 3})).defined());
  const auto [outputs, features] = model.forward_and_embed(batch);
  EXPECT_TRUE(torch::equal(outputs, model.forward(batch)));
  EXPECT_TRUE(torch::equal(features, model.embed(batch)));
}

}  // namespace forward_and_embed_test
