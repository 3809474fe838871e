#include "canary_router.h"

#include <chrono>
#include <cmath>

namespace adapt::serve {

uint64_t stable_hash(const std::string& key) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  // splitmix64's finaliser
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

CanaryRouter::CanaryRouter(double canary_pct)
    : threshold_(static_cast<uint64_t>(std::llround(canary_pct / 100.0 * 4294967296.0))) {}

bool CanaryRouter::to_candidate(const std::string& key) const { return (stable_hash(key) >> 32) < threshold_; }

std::string CanaryRouter::random_key() {
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return "anonymous-" + std::to_string(now) + "-" + std::to_string(counter_.fetch_add(1));
}

}  // namespace adapt::serve
