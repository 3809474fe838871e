// The machine's measured matmul throughput: float 1024 x 1024 products through LibTorch (OpenBLAS
// on Debian, the library both adapt and the PyTorch peers call), best of 20, per thread count
// (OpenBLAS given the same count).
// The step profiles in bench/profiles/ quote each workload's GFLOP/s against this ceiling.
//   bench_matmul_peak [--threads-max N]   (default: every core)
#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

#include "adapt/common/threads.h"
#include "bench_support.h"

int main(int argc, char** argv) {
  int max_threads = static_cast<int>(std::thread::hardware_concurrency());
  if (argc == 3 && !std::strcmp(argv[1], "--threads-max")) max_threads = std::atoi(argv[2]);
  const int64_t n = 1024;
  auto a = torch::randn({n, n}), b = torch::randn({n, n}), c = torch::empty({n, n});
  for (int threads = 1; threads <= max_threads; threads *= 2) {
    adapt::set_num_threads(threads);
    // adapt holds OpenBLAS to one thread; the ceiling lets it use as many as LibTorch.
    using set_threads_fn = void (*)(int);
    if (auto* f = reinterpret_cast<set_threads_fn>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(threads);
    double best = 1e30;
    for (int r = 0; r < 20; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      torch::mm_out(c, a, b);
      best = std::min(best, adapt::bench::seconds_since(t0));
    }
    std::printf("{\"matmul\": %lld, \"threads\": %d, \"gflop_per_s\": %.1f}\n", static_cast<long long>(n), threads,
                2.0 * n * n * n / best / 1e9);
  }
  return 0;
}
