// Allocator policy (memory.h): glibc's mallopt, which takes effect for every later allocation.
#include "adapt/common/memory.h"

#include "common/prefetch.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace adapt {

bool reuse_freed_memory() {
  if (const char* env = std::getenv("ADAPT_REUSE_FREED_MEMORY"); env && std::strcmp(env, "0") == 0) return false;
#if defined(__GLIBC__)
  constexpr int kKeep = 1 << 30;  // mallopt takes an int; larger blocks are rare and still mapped
  return mallopt(M_MMAP_THRESHOLD, kKeep) == 1 && mallopt(M_TRIM_THRESHOLD, kKeep) == 1;
#else
  return false;
#endif
}

void advise_huge_pages(void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  if (data == nullptr || bytes < (size_t(32) << 20)) return;
  // Only whole 2 MiB pages inside the block: the ends may share pages with other allocations.
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice: failure is harmless
#else
  (void)data;
  (void)bytes;
#endif
}

bool detail::rows_worth_prefetching(int64_t table_rows, int64_t width) {
  constexpr int64_t kCached = int64_t(4) << 20;  // bytes; smaller tables stay in L2/L3 between steps
  return table_rows * width * static_cast<int64_t>(sizeof(float)) >= kCached;
}

void prefetch_rows(const float* table, int64_t table_rows, int64_t width, const int64_t* ids, int64_t n,
                   int64_t stride) {
  constexpr int64_t kLine = 64;
  const int64_t row_bytes = width * static_cast<int64_t>(sizeof(float));
  if (!detail::rows_worth_prefetching(table_rows, width)) return;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t id = ids[i * stride];
    if (id < 0 || id >= table_rows) continue;
    const char* row = reinterpret_cast<const char*>(table + id * width);
    for (int64_t b = 0; b < row_bytes; b += kLine) __builtin_prefetch(row + b);
    __builtin_prefetch(row + row_bytes - 1);  // a row that straddles one more line
  }
}

}  // namespace adapt
