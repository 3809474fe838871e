// The allocator policy (adapt/common/memory.h): after reuse_freed_memory, a block of 64 MiB comes
// from the heap instead of a fresh mapping, and freeing it keeps the pages in the process.
#include <gtest/gtest.h>

#include <cstdlib>

#include "adapt/common/memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

// AddressSanitizer has its own allocator: mallopt does nothing there. GCC and clang say so apart.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
constexpr bool kSanitized = __has_feature(address_sanitizer);
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

TEST(Memory, FreedBlocksStayInTheProcessForReuse) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "the policy uses glibc's mallopt";
#else
  if (kSanitized) GTEST_SKIP() << "AddressSanitizer replaces malloc";
  ASSERT_TRUE(adapt::reuse_freed_memory());
  constexpr size_t kBlock = size_t(64) << 20;  // over glibc's largest default mmap threshold (32 MiB)
  const size_t mapped_before = mallinfo2().hblkhd;
  void* block = std::malloc(kBlock);
  ASSERT_NE(block, nullptr);
  static_cast<volatile char*>(block)[0] = 1;
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before) << "the block was mapped, not taken from the heap";
  const size_t kept_before = mallinfo2().fordblks;
  std::free(block);
  EXPECT_GE(mallinfo2().fordblks, kept_before + kBlock) << "the freed block went back to the kernel";
#endif
}

TEST(Memory, AnEnvironmentVariableLeavesTheAllocatorAlone) {
  ::setenv("ADAPT_REUSE_FREED_MEMORY", "0", 1);
  EXPECT_FALSE(adapt::reuse_freed_memory());
  ::unsetenv("ADAPT_REUSE_FREED_MEMORY");
}
