#pragma once
// Allocator policy, set once at host start-up (as threads.h). glibc gives every freed block above
// its mmap threshold back to the kernel, so each training step's activations arrive as fresh pages
// and their first touch is a page fault per 4 KiB. Where faults are dear (the virtual machines of
// bench/profiles/README.md) that made the audio CNN 3.8x slower: 99 samples/s against 375 with freed
// memory kept for reuse. The `adapt` program, the tests and the benchmarks call this first thing;
// a host that embeds adapt decides for itself (docs/training.md).

#include <cstddef>
#include <cstdint>

namespace adapt {

// Keeps freed memory in the process for the next step (glibc: blocks up to 1 GiB come from the heap,
// not from fresh mappings, and the heap is not trimmed below 1 GiB of free space). The cost is a
// higher resident peak (audio CNN: 866 -> 1,093 MB). ADAPT_REUSE_FREED_MEMORY=0 leaves the allocator
// alone. Returns whether the policy is in force (false too off glibc).
bool reuse_freed_memory();

// Tables read and written at random rows (embedding tables, their optimizer state) miss the TLB on
// nearly every row with 4 KiB pages. Asks the kernel to back [data, data + bytes) with 2 MiB pages
// (Linux transparent huge pages in "madvise" or "always" mode); call it before the first write, as
// the kernel backs pages when they are first touched. Does nothing below 32 MiB or off Linux.
// Gathering and updating 1,024 random 50-float rows of a 10M-row table: 141 -> 80 us here.
void advise_huge_pages(void* data, size_t bytes);

// Prefetches the rows about to be gathered from a [table_rows, width] float table, so that their
// cache misses overlap instead of queueing one behind the other (the same 1,024 rows: 80 -> 48 us).
// Ids outside [0, table_rows) are skipped: the gather that follows reports them. Tables that fit in
// the cache are left alone.
// `stride`: the distance between consecutive ids (a column of an [n, slots] id matrix).
void prefetch_rows(const float* table, int64_t table_rows, int64_t width, const int64_t* ids, int64_t n,
                   int64_t stride = 1);

}  // namespace adapt
