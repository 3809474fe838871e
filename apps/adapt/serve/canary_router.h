#pragma once
// Which model answers a request in canary mode: canary_pct % of request keys go to the candidate,
// always the same keys (a hash, stable across restarts and reloads), so one user sees one model.
// Requests without a key get a fresh random one: they are routed at random, in the same share.
#include <atomic>
#include <cstdint>
#include <string>

namespace adapt::serve {

class CanaryRouter {
 public:
  explicit CanaryRouter(double canary_pct);
  bool to_candidate(const std::string& key) const;
  // A key for a request that brought none.
  std::string random_key();

 private:
  uint64_t threshold_;  // keys hashing below it go to the candidate (out of 2^32)
  std::atomic<uint64_t> counter_{0};
};

// FNV-1a, 64 bits, finished with a mixer so that similar keys ("user-1", "user-2") spread evenly.
uint64_t stable_hash(const std::string& key);

}  // namespace adapt::serve
