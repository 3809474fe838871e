// Thread policy. LibTorch gets the intra-op threads; OpenBLAS is held to one thread because its own
// pthread pool and LibTorch's OpenMP pool oversubscribe small machines (on 2 cores the PyTorch peers
// ran 2.1x slower with both pools active; see bench/README.md). openblas_set_num_threads is looked up
// with dlsym so the core has no link dependency on a particular BLAS.
#include "adapt/common/threads.h"

#include <dlfcn.h>
#include <ATen/Parallel.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace adapt {
namespace {

int hardware_cores() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

// libgomp is loaded with LibTorch; looked up at run time because the core is not built with -fopenmp.
void set_openmp_threads_of_this_thread(int n) {
  using set_threads_fn = void (*)(int);
  if (auto* f = reinterpret_cast<set_threads_fn>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"))) f(n);
}

void hold_openblas_to_one_thread() {
  using set_threads_fn = void (*)(int);
  if (auto* f = reinterpret_cast<set_threads_fn>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(1);
}

}  // namespace

void set_num_threads(int n) {
  if (n <= 0) {
    n = hardware_cores();
    if (const char* env = std::getenv("ADAPT_NUM_THREADS"); env && *env) {
      char* end = nullptr;
      long value = std::strtol(env, &end, 10);
      if (*end != '\0' || value <= 0 || value > 4096)
        throw OptionError(std::string("ADAPT_NUM_THREADS: must be a positive integer, got '") + env +
                          "'; unset it to use every core");
      n = static_cast<int>(value);
    }
  }
  hold_openblas_to_one_thread();
  at::set_num_threads(n);
  // Start the intra-op pool now: OpenMP creates its threads at the first parallel region, which
  // otherwise lands in the first training step (52% of core.demo's first epoch on 2 cores).
  if (n > 1) at::parallel_for(0, n, 1, [](int64_t, int64_t) {});
}

int num_threads() { return at::get_num_threads(); }

void use_one_thread_in_this_thread() {
  // ATen initialises each thread's OpenMP setting lazily on its first parallel op (to the global
  // count), so do that first and then override it: omp_set_num_threads affects the calling thread
  // only, whereas at::set_num_threads would change the count the training thread uses.
  at::internal::lazy_init_num_threads();
  set_openmp_threads_of_this_thread(1);
  hold_openblas_to_one_thread();
}

}  // namespace adapt
