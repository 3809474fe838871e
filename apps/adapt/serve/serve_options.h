#pragma once
// Every knob of `adapt serve`, with the defaults the command line shows (docs/serving.md).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace adapt::serve {

// How the candidate export, when there is one, takes part.
enum class CandidateMode {
  none,    // one model answers everything
  shadow,  // the candidate sees every request; its answers are logged and compared, never returned
  canary,  // the candidate answers canary_pct % of requests, chosen by a sticky request key
};

struct BatchingOptions {
  int64_t max_batch = 32;                            // records the worker takes at once, at most
  // How long the first request waits for company. 0: no waiting; requests that arrive while the
  // worker predicts are taken together next, so batches grow with load and cost no latency when idle.
  std::chrono::microseconds max_delay{0};
  size_t max_queue = 1024;                           // queued requests per model; more get 503
  // false: each request taken is predicted as its own batch, so its answer is `adapt predict`'s on
  // the same inputs, bit for bit, whatever else arrives. true: one call for all requests taken:
  // faster for many small requests, but float sums run in other orders (last bits differ).
  bool merge_requests = false;
};

struct ServeOptions {
  std::filesystem::path model_file;
  std::filesystem::path candidate_file;  // empty with CandidateMode::none
  CandidateMode mode = CandidateMode::none;
  double canary_pct = 0.0;  // 0..100
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (printed on start)
  BatchingOptions batching;
  size_t max_body_bytes = 16u << 20;                 // larger bodies get 413
  size_t max_inputs = 1024;                          // inputs in one request
  std::chrono::milliseconds timeout{10000};          // per request; past it 504
  int http_threads = 64;                             // connections handled at once
  std::filesystem::path shadow_log = "shadow.jsonl";  // JSON lines, one per shadowed request
  size_t window = 1000;                              // predictions in the sliding-window gauges
};

}  // namespace adapt::serve
