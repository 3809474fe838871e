#pragma once
// Allocator policy, set once at host start-up (as threads.h). glibc gives every freed block above
// its mmap threshold back to the kernel, so each training step's activations arrive as fresh pages
// and their first touch is a page fault per 4 KiB. Where faults are dear (the virtual machines of
// bench/profiles/README.md) that made the audio CNN 3.8x slower: 99 samples/s against 375 with freed
// memory kept for reuse. The `adapt` program, the tests and the benchmarks call this first thing;
// a host that embeds adapt decides for itself (docs/training.md).

namespace adapt {

// Keeps freed memory in the process for the next step (glibc: blocks up to 1 GiB come from the heap,
// not from fresh mappings, and the heap is not trimmed below 1 GiB of free space). The cost is a
// higher resident peak (audio CNN: 866 -> 1,093 MB). ADAPT_REUSE_FREED_MEMORY=0 leaves the allocator
// alone. Returns whether the policy is in force (false too off glibc).
bool reuse_freed_memory();

}  // namespace adapt
