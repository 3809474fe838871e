// Where one served request's time goes: an export's prediction on one input at a time, split into its
// stages (model forward, out-of-domain score, decoding), then LibTorch's profiler over the same calls
// (a Chrome trace; op_table.py sums it per operator). One intra-op thread, as `adapt serve --threads 1`.
//   bench_serve_profile MODEL.adapt INPUTS.txt [TRACE.json] [--print]
// INPUTS.txt: one raw input a line, as `adapt predict` takes them (a sequence, a text, a CSV row).
// --print writes each input's prediction (JSON lines) instead, to compare two builds.
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>

#include "adapt/common/threads.h"
#include "adapt/export/export.h"
#include "adapt/plugin/plugin_host.h"

namespace {

using clock_type = std::chrono::steady_clock;
double micros(clock_type::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_serve_profile MODEL.adapt INPUTS.txt [TRACE.json] [--print]\n";
    return 2;
  }
  try {
    adapt::set_num_threads(1);
    const adapt::Predictor p = adapt::Predictor::load(argv[1], adapt::global_registry());
    std::ifstream file(argv[2]);
    std::vector<adapt::Records> requests;
    for (std::string line; std::getline(file, line);)
      if (!line.empty()) requests.push_back(p.read_inputs({line}));
    if (requests.empty()) throw std::runtime_error(std::string(argv[2]) + ": no inputs");
    const std::string trace = argc > 3 && std::string(argv[3]) != "--print" ? argv[3] : "";
    if (std::string(argv[argc - 1]) == "--print") {
      for (const auto& r : requests) std::cout << p.predict(r).at(0).dump() << "\n";
      return 0;
    }
    const size_t n = std::max<size_t>(2000, requests.size());
    for (size_t i = 0; i < 200; ++i) p.predict_columns(requests[i % requests.size()]);  // warm up
    // Each stage in its own pass over the inputs (interleaving them skews the first against the rest).
    auto mean_micros = [&](const std::function<void(size_t)>& stage) {
      const auto start = clock_type::now();
      for (size_t i = 0; i < n; ++i) stage(i % requests.size());
      return micros(clock_type::now() - start) / static_cast<double>(n);
    };
    std::vector<adapt::OutputsAndFeatures> scored(requests.size());
    const double forward = mean_micros([&](size_t i) { scored[i] = p.outputs_and_features(requests[i]); });
    const double ood = mean_micros([&](size_t i) { p.domain_scores(scored[i]); });
    const double decode = mean_micros([&](size_t i) { p.decode(scored[i]); });  // scores again
    const double total = mean_micros([&](size_t i) { p.predict_columns(requests[i]); });
    std::cout << "per request (us, mean of " << n << "): predict_columns " << total << "; its stages: forward "
              << forward << ", out-of-domain score " << ood << ", decoding " << decode - ood << "\n";
    if (!trace.empty()) {
      std::ofstream out(trace);
      torch::autograd::profiler::RecordProfile profile(out);
      for (size_t i = 0; i < 500; ++i) p.predict_columns(requests[i % requests.size()]);
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_serve_profile: " << e.what() << "\n";
    return 1;
  }
}
