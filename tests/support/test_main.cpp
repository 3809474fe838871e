// The main of every test suite: GoogleTest's, after the allocator policy the `adapt` program sets
// (adapt/common/memory.h), so tests train as fast as users' runs do (the FSDD tests 3x faster).
#include <gtest/gtest.h>

#include "adapt/common/memory.h"

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
