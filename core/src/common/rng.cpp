#include "adapt/common/rng.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>

#include "adapt/common/hash.h"

namespace adapt {

uint64_t mix_seed(uint64_t a, uint64_t b) { return splitmix64(splitmix64(a) ^ (b * 0xD6E8FEB86659FD93ULL + 1)); }

Rng::Rng(uint64_t seed) : seed_(seed), engine_(splitmix64(seed)) {}

Rng Rng::derive(uint64_t stream) const { return Rng(mix_seed(seed_, stream)); }

// Distributions are written out here (not std::*_distribution) so streams are identical across
// standard libraries: a seed means the same split and the same augmentation everywhere.
double Rng::uniform(double low, double high) {
  const double unit = static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
  return low + (high - low) * unit;
}

double Rng::normal(double mean, double stddev) {
  double u1 = uniform();
  while (u1 <= std::numeric_limits<double>::min()) u1 = uniform();
  const double u2 = uniform();
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

int64_t Rng::integer(int64_t low, int64_t high_exclusive) {
  if (high_exclusive <= low) {
    throw Error("Rng::integer: empty range [" + std::to_string(low) + ", " + std::to_string(high_exclusive) + ")");
  }
  const uint64_t range = static_cast<uint64_t>(high_exclusive - low);
  // Lemire's unbiased bounded integer.
  uint64_t x = engine_();
  __uint128_t m = static_cast<__uint128_t>(x) * range;
  uint64_t l = static_cast<uint64_t>(m);
  if (l < range) {
    const uint64_t threshold = (0 - range) % range;
    while (l < threshold) {
      x = engine_();
      m = static_cast<__uint128_t>(x) * range;
      l = static_cast<uint64_t>(m);
    }
  }
  return low + static_cast<int64_t>(m >> 64);
}

bool Rng::bernoulli(double p) {
  if (p >= 1.0) return true;
  if (p <= 0.0) return false;
  return uniform() < p;
}

at::Generator& Rng::generator() {
  if (!generator_ready_) {
    generator_ = at::detail::createCPUGenerator(mix_seed(seed_, 0x7f4a7c15ULL));
    generator_ready_ = true;
  }
  return generator_;
}

}  // namespace adapt
