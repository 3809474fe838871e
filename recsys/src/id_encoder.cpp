#include "id_encoder.h"

#include <algorithm>

#include "adapt/common/hash.h"

namespace adapt::recsys {

// The FNV basis recsys has always started from (a digit short of FNV's own): kept, so hashed ids
// keep their buckets in existing exports.
constexpr uint64_t kIdHashBasis = 1469598103934665603ULL;

uint64_t hash_id(const std::string& id, uint64_t seed) {
  // FNV alone mixes the last bytes poorly; splitmix with the seed spreads every bit.
  return splitmix64(fnv1a64(id, kIdHashBasis) ^ splitmix64(seed));
}

IdEncoder::IdEncoder(IdEncoderOptions options) : options_(std::move(options)) {
  if (options_.mode != "vocab" && options_.mode != "hash" && options_.mode != "qr") {
    throw OptionError("recsys id encoder: mode must be vocab, hash or qr, got \"" + options_.mode + "\"");
  }
  mode_ = options_.mode == "hash" ? Mode::hash : options_.mode == "qr" ? Mode::qr : Mode::vocab;
  if (options_.buckets < 1 || options_.n_hashes < 1 || options_.quotient_buckets < 1) {
    throw OptionError("recsys id encoder: buckets, n_hashes and quotient_buckets must be >= 1");
  }
}

void IdEncoder::fit(const std::vector<std::string>& train_ids) {
  if (mode_ != Mode::vocab) return;
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& id : train_ids) ++counts[id];
  std::vector<std::pair<std::string, int64_t>> kept;
  for (auto& [id, count] : counts) {
    if (count >= options_.min_count) kept.emplace_back(id, count);
  }
  // Most frequent first, then by id, so the vocabulary does not depend on hash-map order.
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (options_.max_size > 0 && static_cast<int64_t>(kept.size()) > options_.max_size) kept.resize(options_.max_size);
  vocab_.clear();
  index_.clear();
  for (auto& [id, count] : kept) {
    index_.emplace(id, static_cast<int64_t>(vocab_.size()) + 1);
    vocab_.push_back(id);
  }
}

int64_t IdEncoder::slots() const {
  if (mode_ == Mode::hash) return options_.n_hashes;
  if (mode_ == Mode::qr) return 2;
  return 1;
}

std::vector<int64_t> IdEncoder::table_sizes() const {
  if (mode_ == Mode::hash) return {options_.buckets + 1};
  if (mode_ == Mode::qr) return {options_.quotient_buckets + 1, options_.buckets + 1};
  return {static_cast<int64_t>(vocab_.size()) + 1};
}

void IdEncoder::encode(const std::string& id, int64_t* out) const {
  if (mode_ == Mode::vocab) {
    auto it = index_.find(id);
    out[0] = it == index_.end() ? 0 : it->second;
  } else if (mode_ == Mode::hash) {
    for (int64_t h = 0; h < options_.n_hashes; ++h) {
      out[h] = 1 + static_cast<int64_t>(hash_id(id, options_.seed + static_cast<uint64_t>(h)) %
                                        static_cast<uint64_t>(options_.buckets));
    }
  } else {
    const uint64_t space = static_cast<uint64_t>(options_.quotient_buckets) * static_cast<uint64_t>(options_.buckets);
    const uint64_t x = hash_id(id, options_.seed) % space;
    out[0] = 1 + static_cast<int64_t>(x / static_cast<uint64_t>(options_.buckets));
    out[1] = 1 + static_cast<int64_t>(x % static_cast<uint64_t>(options_.buckets));
  }
}

std::vector<int64_t> IdEncoder::encode(const std::string& id) const {
  std::vector<int64_t> out(slots());
  encode(id, out.data());
  return out;
}

std::string IdEncoder::random_id(Rng& rng) const {
  if (mode_ != Mode::vocab) return "noise:" + std::to_string(rng.engine()());
  if (vocab_.empty()) return {};
  return vocab_[static_cast<size_t>(rng.integer(0, static_cast<int64_t>(vocab_.size())))];
}

bool IdEncoder::known(const std::string& id) const { return mode_ != Mode::vocab || index_.count(id) > 0; }

json IdEncoder::dims() const {
  return {{"mode", options_.mode}, {"slots", slots()}, {"tables", table_sizes()}, {"shared", shared_table()},
          {"combine", combine()}};
}

json IdEncoder::state() const {
  return {{"mode", options_.mode},
          {"buckets", options_.buckets},
          {"n_hashes", options_.n_hashes},
          {"quotient_buckets", options_.quotient_buckets},
          {"seed", options_.seed},
          {"min_count", options_.min_count},
          {"max_size", options_.max_size},
          {"vocab", vocab_}};
}

void IdEncoder::load_state(const json& state) {
  IdEncoderOptions o;
  try {
    o.mode = state.at("mode").get<std::string>();
    o.buckets = state.at("buckets").get<int64_t>();
    o.n_hashes = state.at("n_hashes").get<int64_t>();
    o.quotient_buckets = state.at("quotient_buckets").get<int64_t>();
    o.seed = state.at("seed").get<uint64_t>();
    o.min_count = state.at("min_count").get<int64_t>();
    o.max_size = state.at("max_size").get<int64_t>();
    *this = IdEncoder(o);
    vocab_ = state.at("vocab").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw DataError(std::string("recsys id encoder: the saved state is damaged (") + e.what() +
                    "); re-export the model with this plugin version");
  }
  for (size_t i = 0; i < vocab_.size(); ++i) index_.emplace(vocab_[i], static_cast<int64_t>(i) + 1);
}

}  // namespace adapt::recsys
