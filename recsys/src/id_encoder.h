#pragma once
// IdEncoder: raw string ids -> embedding-table rows, with memory bounded whatever the number of ids.
//   vocab: a vocabulary learned on the training ids (min_count, max_size); others go to row 0.
//   hash:  the hashing trick into `buckets` rows, with n_hashes independent hashes whose embeddings
//          are summed (collisions rarely hit all of them); no state grows with the id count.
//   qr:    quotient-remainder compositional embeddings (Shi et al. 2020): the hashed id x in
//          [0, quotient_buckets * buckets) uses rows x / buckets and x % buckets of two tables,
//          combined by an element-wise product, so every id in that space gets a distinct vector.
// Row 0 of every table is the out-of-vocabulary (unknown id) row: unseen ids at predict time land
// there instead of failing, and id dropout trains it.
#include <adapt/common/options.h>
#include <adapt/common/rng.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace adapt::recsys {

struct IdEncoderOptions {
  std::string mode = "vocab";  // vocab, hash, qr
  int64_t min_count = 1;       // vocab: ids seen fewer times in train are unknown
  int64_t max_size = 0;        // vocab: keep the most frequent ids only (0: all)
  int64_t buckets = 1 << 18;   // hash, qr: rows per table (without the unknown row)
  int64_t n_hashes = 2;        // hash: hashes per id
  int64_t quotient_buckets = 1 << 10;  // qr: rows of the quotient table
  uint64_t seed = 0;           // hash, qr: hash seed
};

// 64-bit FNV-1a mixed with a seed: stable across platforms and runs (unlike std::hash).
uint64_t hash_id(const std::string& id, uint64_t seed);

class IdEncoder {
 public:
  IdEncoder() = default;
  explicit IdEncoder(IdEncoderOptions options);

  // Learns the vocabulary (vocab mode); hash and qr modes learn nothing.
  void fit(const std::vector<std::string>& train_ids);
  // Writes slots() row indices for `id` into out[0..slots).
  void encode(const std::string& id, int64_t* out) const;
  std::vector<int64_t> encode(const std::string& id) const;
  // A random id with rows of its own (sanity noise): a training id drawn uniformly in vocab mode,
  // a random string (so uniform rows) in hash and qr modes.
  std::string random_id(Rng& rng) const;
  // Whether the id has rows of its own (vocab: in the vocabulary; hash/qr: always true).
  bool known(const std::string& id) const;

  int64_t slots() const;
  // Rows of the table each slot indexes (unknown row included); `shared`: all slots index one table.
  std::vector<int64_t> table_sizes() const;
  bool shared_table() const { return mode_ == Mode::hash; }
  std::string combine() const { return mode_ == Mode::qr ? "product" : "sum"; }
  const IdEncoderOptions& options() const { return options_; }
  int64_t vocab_size() const { return static_cast<int64_t>(vocab_.size()); }

  json dims() const;  // {"slots", "tables", "shared", "combine", "mode"}
  json state() const;
  void load_state(const json& state);

 private:
  // options_.mode parsed once: encode() and known() run for every id of every row.
  enum class Mode { vocab, hash, qr };
  IdEncoderOptions options_;
  Mode mode_ = Mode::vocab;
  std::vector<std::string> vocab_;                 // row i + 1 is vocab_[i]
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace adapt::recsys
