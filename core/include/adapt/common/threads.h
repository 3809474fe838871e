#pragma once
// Thread policy, set once at host start-up. LibTorch here defaults to one intra-op thread, and
// OpenBLAS keeps its own pool that fights LibTorch's OpenMP threads on small machines, so adapt gives
// LibTorch the threads and holds OpenBLAS to one (measured in bench/README.md).
#include "adapt/common/error.h"

namespace adapt {

// n <= 0: ADAPT_NUM_THREADS if set, else the number of cores.
void set_num_threads(int n);
int num_threads();
// For loader worker threads: this thread runs torch ops single-threaded.
void use_one_thread_in_this_thread();

}  // namespace adapt
