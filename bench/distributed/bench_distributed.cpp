// Gradient all-reduce cost per optimizer step on loopback: what adapt's DistributedCallback does after
// each backward pass (average_gradients: bucketed Gloo all-reduce + divide), for several model sizes.
//
//   bench_distributed [--nproc 2] [--steps 20] [--sizes 10000,100000,...]
//
// Without RANK/WORLD_SIZE it starts --nproc copies of itself through the same launcher as
// `adapt train --nproc`; rank 0 prints one line per size. See bench/distributed/README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "adapt/common/memory.h"
#include "adapt/common/threads.h"
#include "adapt/distributed/distributed.h"

using namespace adapt;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<int64_t> parse_sizes(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(std::stoll(item));
  return out;
}

// A model of `n` float parameters as layers of at most 1M (a weight matrix and a bias each).
std::vector<torch::Tensor> fake_parameters(int64_t n) {
  std::vector<torch::Tensor> params;
  while (n > 0) {
    int64_t w = std::min<int64_t>(n, 1 << 20);
    int64_t bias = std::min<int64_t>(256, w / 4);
    for (int64_t part : {w - bias, bias}) {
      if (part <= 0) continue;
      auto p = torch::zeros({part}, torch::requires_grad());
      p.mutable_grad() = torch::randn({part});
      params.push_back(p);
    }
    n -= w;
  }
  return params;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  int64_t nproc = 2, steps = 20;
  std::string sizes = "10000,100000,1000000,5000000,25000000";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--nproc") nproc = std::stoll(argv[i + 1]);
    else if (a == "--steps") steps = std::stoll(argv[i + 1]);
    else if (a == "--sizes") sizes = argv[i + 1];
  }
  try {
    if (!std::getenv("RANK")) {
      LaunchOptions launch;
      launch.nproc = nproc;
      return launch_local_workers("/proc/self/exe", std::vector<std::string>(argv, argv + argc), launch);
    }
    set_num_threads(0);
    auto dist = DistributedContext::from_env();
    if (dist->is_main())
      std::printf("ranks %lld, threads per rank %d, bucket %lld MB, %lld timed steps per size\n",
                  static_cast<long long>(dist->world_size()), num_threads(),
                  static_cast<long long>(dist->options().bucket_bytes >> 20), static_cast<long long>(steps));
    // Latency: an 8-byte all-reduce.
    std::vector<double> tiny;
    for (int i = 0; i < 200; ++i) {
      auto t0 = Clock::now();
      dist->all_reduce_sum(1.0, "latency probe");
      tiny.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    if (dist->is_main()) std::printf("8-byte all-reduce: median %.1f us\n", median(tiny) * 1e6);
    if (dist->is_main())
      std::printf("%12s %10s %12s %12s %14s\n", "params", "MB/step", "median_ms", "mean_ms", "algbw_MB/s");
    for (int64_t n : parse_sizes(sizes)) {
      auto params = fake_parameters(n);
      for (int w = 0; w < 3; ++w) average_gradients(*dist, params);
      std::vector<double> times;
      for (int64_t s = 0; s < steps; ++s) {
        dist->barrier("aligning the ranks");  // time the collective, not the other rank's lateness
        auto t0 = Clock::now();
        average_gradients(*dist, params);
        times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      }
      double mean = 0;
      for (double t : times) mean += t;
      mean /= static_cast<double>(times.size());
      const double mb = static_cast<double>(n) * 4.0 / 1e6;
      if (dist->is_main())
        std::printf("%12lld %10.2f %12.3f %12.3f %14.1f\n", static_cast<long long>(n), mb, median(times) * 1e3, mean * 1e3,
                    mb / median(times));
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_distributed: error: " << e.what() << "\n";
    return 1;
  }
}
