// Known answers for the core's hashes (published FNV-1a and SplitMix64 values).
#include <gtest/gtest.h>

#include "adapt/common/hash.h"

namespace adapt {

TEST(Hash, Fnv1a64KnownAnswers) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
  // Chaining continues the same hash.
  EXPECT_EQ(fnv1a64("bar", fnv1a64("foo")), fnv1a64("foobar"));
}

TEST(Hash, FieldsKeepTheirBoundaries) {
  EXPECT_NE(fnv1a64_field("c", fnv1a64_field("ab", kFnv1aBasis)),
            fnv1a64_field("bc", fnv1a64_field("a", kFnv1aBasis)));
}

TEST(Hash, SplitMix64KnownAnswers) {
  // The first outputs of the SplitMix64 generator seeded with 0 are splitmix64(0), splitmix64(gamma).
  EXPECT_EQ(splitmix64(0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(0x9E3779B97F4A7C15ULL), 0x6e789e6aa1b965f4ULL);
}

}  // namespace adapt
