// The conformance kit on the recsys plugin: its demo (3000 ratings), NCF, and a two-tower model on
// implicit feedback with negative sampling.
#include "first_party.h"

namespace conformance_test {
namespace {

json implicit_two_tower(json recipe) {
  recipe["target"] = {{"name", "recsys.implicit"}};
  recipe["transforms"] = json::array({{{"name", "recsys.negative_sampling"}, {"n_negatives", 2}}});
  recipe["model"] = {{"name", "recsys.two_tower"}, {"n_factors", 8}, {"layers", {16}}, {"out_dim", 8}};
  for (const char* key : {"metrics", "baselines", "reports"}) recipe.erase(key);
  return recipe;
}

adapt::testing::Conformance recsys() {
  auto c = first_party("recsys");
  c.demo_options["recsys.demo"] = {{"n_interactions", 3000}, {"n_users", 60}, {"head_items", 200},
                                   {"item_buckets", 4096},  {"epochs", 1}};
  c.recipes = {
      with_model("ncf", {{"name", "recsys.ncf"}, {"n_factors", 8}, {"layers", {16}}}),
      {"implicit two-tower", implicit_two_tower},
  };
  return c;
}

}  // namespace

ADAPT_CONFORMANCE_SUITE(RecsysConformance, recsys())

}  // namespace conformance_test
