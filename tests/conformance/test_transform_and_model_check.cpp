// check_transform and check_model pass correct components and report each broken one.
#include "broken_components.h"

namespace conformance_test {
namespace {

// broken.mean -> "x", core.category on "y" (even/odd) -> "y", set up on 8 rows.
const adapt::DataBlocks& blocks() {
  static const adapt::DataBlocks* blocks = [] {
    const auto& r = broken_registry();
    auto* b = new adapt::DataBlocks({{"x", r.block({{"name", "broken.mean"}}, "inputs[0]")}},
                                    {"y", r.block({{"name", "core.category"}, {"column", "y"}}, "target")});
    b->setup(numbers({1, 2, 3, 4, 5, 6, 7, 8}));
    return b;
  }();
  return *blocks;
}

std::vector<adapt::Sample> samples(adapt::Split split) {
  const adapt::Records rows = numbers({1, 2, 3, 4, 5, 6});
  std::vector<adapt::Sample> items;
  for (size_t row = 0; row < rows.size(); ++row) {
    adapt::Rng rng(row);
    adapt::EncodeContext ctx;
    ctx.split = split;
    ctx.rng = &rng;
    items.push_back(blocks().encode(rows, row, ctx));
  }
  return items;
}

void check_transform(const std::string& name) {
  adapt::testing::check_transform(broken_registry(), {{"name", name}}, blocks(), samples(adapt::Split::train));
}

void check_model(const std::string& name) {
  adapt::testing::check_model(broken_registry(), {{"name", name}}, blocks(), blocks().collate(samples(adapt::Split::valid)));
}

TEST(TransformCheck, PassesARandomTrainOnlyTransform) { check_transform("broken.noise"); }

TEST(TransformCheck, PassesDeterministicPreprocessing) { check_transform("broken.double"); }

TEST(TransformCheck, CatchesARandomTransformOnValidation) {
  EXPECT_NONFATAL_FAILURE(check_transform("broken.noise_on_valid"), "is random");
}

TEST(TransformCheck, CatchesRandomnessOutsideTheGivenRng) {
  EXPECT_NONFATAL_FAILURE(check_transform("broken.global_noise"), "same Rng stream gave different results");
}

TEST(TransformCheck, CatchesAProbabilityAboveOne) {
  EXPECT_NONFATAL_FAILURE(check_transform("broken.improbable"), "is not a probability");
}

TEST(ModelCheck, PassesACorrectModel) { check_model("broken.linear"); }

TEST(ModelCheck, CatchesAnOutputTooWideForTheTarget) {
  expect_caught(failures_of([] { check_model("broken.too_wide"); }), {"model broken.too_wide", "[6,3]", "[6, 2]"});
}

TEST(ModelCheck, CatchesRandomnessInEvalMode) {
  EXPECT_NONFATAL_FAILURE(check_model("broken.always_dropout"), "two eval-mode forward() calls on one batch differ");
}

TEST(ModelCheck, CatchesParametersOutsideTheLayerGroups) {
  expect_caught(failures_of([] { check_model("broken.head_only_groups"); }), {"\"hidden.weight\" is in 0 layer groups"});
}

TEST(ModelCheck, PassesAModelThatChecksItsBudget) {
  adapt::testing::check_model_budget(broken_registry(), {{"name", "core.mlp"}}, blocks());
}

TEST(ModelCheck, CatchesAModelThatIgnoresTheParameterBudget) {
  EXPECT_NONFATAL_FAILURE(adapt::testing::check_model_budget(broken_registry(), {{"name", "broken.linear"}}, blocks()),
                          "under a 16-byte parameter budget it was built");
}

}  // namespace
}  // namespace conformance_test
