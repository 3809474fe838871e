// The conformance kit on the text plugin: its demo (AWD-LSTM classifier), the Transformer classifier,
// the language-model block and model, and every augmentation.
#include "first_party.h"

namespace conformance_test {
namespace {

// Next-token prediction on the demo's reviews.
json language_model(json recipe) {
  const json lm = {{"name", "text.lm"}, {"vocab_size", 300}, {"seq_len", 24}};
  recipe["inputs"] = json::array({lm});
  recipe["target"] = lm;
  recipe["target"]["role"] = "target";
  recipe["model"] = {{"name", "text.awd_lstm_lm"}, {"emb_size", 32}, {"hidden_size", 32}, {"n_layers", 1}};
  for (const char* key : {"transforms", "metrics", "baselines"}) recipe.erase(key);
  recipe["loader"].erase("sampler");
  return recipe;
}

adapt::testing::Conformance text() {
  auto c = first_party("text");
  c.recipes = {
      with_model("transformer", {{"name", "text.transformer_classifier"}, {"d_model", 16}, {"n_heads", 2},
                                 {"n_layers", 1}, {"ff_size", 32}, {"max_len", 64}}),
      {"language model", language_model},
      with_transforms("every augmentation", json::array({{{"name", "text.token_dropout"}},
                                                         {{"name", "text.span_deletion"}},
                                                         {{"name", "text.local_shuffle"}},
                                                         {{"name", "text.random_crop"}, {"max_tokens", 8}}})),
  };
  return c;
}

}  // namespace

ADAPT_CONFORMANCE_SUITE(TextConformance, text())

}  // namespace conformance_test
