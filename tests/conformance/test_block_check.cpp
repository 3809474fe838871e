// check_block passes a correct block and reports each way a block breaks its contract.
#include "broken_components.h"

namespace conformance_test {
namespace {

// Training rows 1..8; the other rows hold values the training rows lack.
void check(const std::string& block) {
  adapt::testing::check_block(broken_registry(), {{"name", block}}, numbers({1, 2, 3, 4, 5, 6, 7, 8}, "train"),
                              numbers({40, -7, 100}, "valid"));
}

TEST(BlockCheck, PassesACorrectBlock) { check("broken.mean"); }

TEST(BlockCheck, CatchesStateSharedBetweenInstances) {
  EXPECT_NONFATAL_FAILURE(check("broken.static_mean"), "learned different states");
}

TEST(BlockCheck, CatchesLearningWhileEncoding) {
  EXPECT_NONFATAL_FAILURE(check("broken.learns_while_encoding"), "changed state()");
}

TEST(BlockCheck, CatchesAStateThatForgetsSomething) {
  EXPECT_NONFATAL_FAILURE(check("broken.forgetful"), "state() misses something setup() learned");
}

TEST(BlockCheck, CatchesAnEncodeThatIsNotThreadSafe) {
  EXPECT_NONFATAL_FAILURE(check("broken.racy"), "not thread-safe");
}

TEST(BlockCheck, CatchesRandomnessOnValidation) {
  EXPECT_NONFATAL_FAILURE(check("broken.noisy_everywhere"), "on the valid split gave different tensors");
}

TEST(BlockCheck, CatchesRandomnessUndeclaredByRandomOnTrain) {
  EXPECT_NONFATAL_FAILURE(check("broken.secretly_random"), "random_on_train() is false");
}

TEST(BlockCheck, CatchesRandomnessOutsideCtxRng) {
  // Also not reproducible across threads; the message names the cause.
  expect_caught(failures_of([] { check("broken.global_random"); }), {"same ctx.rng stream", "ctx.rng only"});
}

TEST(BlockCheck, CatchesClassesThatDoNotMatchTheOutputs) {
  EXPECT_NONFATAL_FAILURE(check("broken.mismatched_target"), "classes() lists 2 names but n_outputs() is 3");
}

TEST(BlockCheck, PassesACorrectBatchEncoder) { check("broken.batched_mean"); }

TEST(BlockCheck, CatchesABatchEncoderThatDisagreesWithCollate) {
  EXPECT_NONFATAL_FAILURE(check("broken.unscaled_batch"), "it must return exactly what collate() does");
}

TEST(BlockCheck, PassesACorrectTarget) { check("broken.scaled_target"); }

TEST(BlockCheck, CatchesABatchDecoderThatDisagreesWithDecode) {
  EXPECT_NONFATAL_FAILURE(check("broken.unscaled_batch_decode"), "decode_batch() differs from decode() of each row");
}

TEST(BlockCheck, NamesTheBlockAndTheRowInItsMessages) {
  expect_caught(failures_of([] { check("broken.forgetful"); }), {"block broken.forgetful", "row 0 (train:1)"});
}

}  // namespace
}  // namespace conformance_test
