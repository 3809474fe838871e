// The conformance kit on the protein plugin: its demo (60 peptides, one epoch of pretraining), the
// Transformer, masked-LM pretraining, per-residue labels and every augmentation.
#include "first_party.h"

namespace conformance_test {
namespace {

const json small_transformer = {{"d_model", 16}, {"n_heads", 2}, {"n_layers", 1}, {"ff_size", 32}};

json masked_lm(json recipe) {
  const json mlm = {{"name", "protein.mlm"}, {"max_len", 64}};
  recipe["inputs"] = json::array({mlm});
  recipe["target"] = mlm;
  recipe["target"]["role"] = "target";
  recipe["model"] = small_transformer;
  recipe["model"]["name"] = "protein.transformer_mlm";
  for (const char* key : {"transforms", "metrics", "baselines"}) recipe.erase(key);
  return recipe;
}

adapt::Records residues(const std::vector<std::pair<std::string, std::string>>& rows) {
  adapt::Records records({"sequence", "labels"}, "hand-made");
  for (size_t i = 0; i < rows.size(); ++i) records.add_row({rows[i].first, rows[i].second}, "row " + std::to_string(i));
  return records;
}

adapt::testing::Conformance protein() {
  auto c = first_party("protein");
  c.demo_options["protein.demo"] = {{"n", 60}, {"pretrain_epochs", 1}, {"epochs", 1}};
  json transformer = small_transformer;
  transformer["name"] = "protein.transformer";
  c.recipes = {
      with_model("transformer", transformer),
      {"masked LM", masked_lm},
      with_transforms("every augmentation", json::array({{{"name", "protein.random_mask"}},
                                                         {{"name", "protein.blosum_substitution"}},
                                                         {{"name", "protein.random_crop"}}})),
  };
  // Per-residue secondary structure: no demo has it.
  c.blocks = {{{{"name", "protein.residue_labels"}, {"max_len", 32}},
               residues({{"MKTAYIAK", "CHHHHHHC"}, {"GSSGSSG", "CCEEECC"}, {"MKVLA", "CHHHC"}}),
               residues({{"MKTAYIAKQRQISFVKSHFSRQ", "CHHHHHHHHHHHHHHHHHHHHC"}, {"WW", "EE"}})}};
  return c;
}

}  // namespace

ADAPT_CONFORMANCE_SUITE(ProteinConformance, protein())

}  // namespace conformance_test
