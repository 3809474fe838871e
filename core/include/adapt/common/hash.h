#pragma once
// The core's two non-cryptographic hashes, for everyone (core, plugins): FNV-1a over bytes
// (fingerprints of data and ids) and SplitMix64 (mixing seeds and hash values so every bit spreads).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace adapt {

constexpr uint64_t kFnv1aBasis = 14695981039346656037ULL;

// FNV-1a, 64 bits, continuing from `hash` (chain calls to hash several fields).
constexpr uint64_t fnv1a64(std::string_view bytes, uint64_t hash = kFnv1aBasis) {
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

// FNV-1a over one field of a record: the field, then a 0xff byte that no UTF-8 text contains, so
// ("ab", "c") and ("a", "bc") hash differently.
constexpr uint64_t fnv1a64_field(std::string_view field, uint64_t hash) {
  return fnv1a64(std::string_view("\xff", 1), fnv1a64(field, hash));
}

// SplitMix64's finaliser (Steele, Lea and Flood 2014).
constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// 16 lowercase hex digits: how adapt writes a 64-bit hash ("fnv1a64:" + hex64(h) for data and recipes).
inline std::string hex64(uint64_t value) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(value));
  return hex;
}

}  // namespace adapt
