// The allocator policy (adapt/common/memory.h): after reuse_freed_memory, a block of 64 MiB comes
// from the heap instead of a fresh mapping, and freeing it keeps the pages in the process; large
// blocks get the huge-page advice, small ones do not.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

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

// The VmFlags line of the /proc/self/smaps entry whose range holds `address` ("" when not found).
std::string vm_flags_at(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto a = reinterpret_cast<uintptr_t>(address);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-' && line.find(':') > line.find(' ')) {
      inside = begin <= a && a < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

bool transparent_huge_pages_available() {
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(enabled, modes);
  return modes.find("[never]") == std::string::npos && !modes.empty();
}

}  // namespace

TEST(Memory, LargeBlocksAreAdvisedHugePagesSmallOnesAreNot) {
#if !defined(__linux__)
  GTEST_SKIP() << "transparent huge pages are Linux's";
#else
  if (!transparent_huge_pages_available()) GTEST_SKIP() << "transparent huge pages are off on this machine";
  constexpr size_t kLarge = size_t(64) << 20, kSmall = size_t(8) << 20;
  std::unique_ptr<char[]> large(new char[kLarge]), small(new char[kSmall]);
  adapt::advise_huge_pages(large.get(), kLarge);
  adapt::advise_huge_pages(small.get(), kSmall);
  EXPECT_NE(vm_flags_at(large.get() + kLarge / 2).find(" hg"), std::string::npos) << vm_flags_at(large.get() + kLarge / 2);
  EXPECT_EQ(vm_flags_at(small.get() + kSmall / 2).find(" hg"), std::string::npos) << vm_flags_at(small.get() + kSmall / 2);
#endif
}

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
