// Allocator policy (memory.h): glibc's mallopt, which takes effect for every later allocation.
#include "adapt/common/memory.h"

#include <cstdlib>
#include <cstring>

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

}  // namespace adapt
