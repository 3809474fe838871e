#pragma once
// How surprising a token sequence is to the training data: an n-gram model of the training token ids
// (interpolated Witten-Bell smoothing, order 3 by default) and each sequence's total negative
// log-likelihood under it. What the out-of-domain scorer's "typicality" component for token inputs
// (text pieces, residues) reads: a classifier's pooled features keep only what tells its classes
// apart, so a review of a dress looks like any other non-spam message to a spam filter's features,
// while its words are far from any SMS.
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <string>

#include "adapt/common/error.h"
#include "adapt/common/options.h"

namespace adapt {

class ADAPT_API SequenceLikelihood {
 public:
  static constexpr int kMaxOrder = 3;
  static constexpr int64_t kMaxId = (int64_t{1} << 21) - 1;  // ids pack three to an int64 key

  SequenceLikelihood() = default;
  // `ids` [N, T] int64 (padding after each row's length), `lengths` [N]. Rows are counted in order
  // until `max_tokens` tokens are in (a bound on the model's size). Throws on ids outside [0, kMaxId].
  static SequenceLikelihood fit(const torch::Tensor& ids, const torch::Tensor& lengths, int order = 3,
                                int64_t max_tokens = 200000);
  // [N] double: each row's total -log p of its tokens, each given the order - 1 before it (nats).
  torch::Tensor nll(const torch::Tensor& ids, const torch::Tensor& lengths) const;
  // [N, T] double: each token's -log p (0 after the row's length); nll() is its sum over a row.
  torch::Tensor token_nll(const torch::Tensor& ids, const torch::Tensor& lengths) const;
  // p(token | context), the context's last order - 1 ids used; sums to 1 over the seen tokens plus
  // one share for every unseen one.
  double probability(const std::vector<int64_t>& context, int64_t token) const;

  bool empty() const { return order_ == 0; }
  int order() const { return order_; }
  json state() const;  // {"order", "tokens", "vocabulary"}
  void write(torch::serialize::OutputArchive& archive, const std::string& prefix) const;
  static SequenceLikelihood load(const json& state, torch::serialize::InputArchive& archive, const std::string& prefix);

 private:
  double probability_at(const int64_t* row, int64_t i) const;

  // One order's tables, sorted by key: n-gram counts, and per context (the n-gram less its last
  // token) its count and the number of distinct tokens that followed it.
  struct Table {
    torch::Tensor keys, counts;                        // int64 [M], int64 [M]
    torch::Tensor context_keys, context_counts, types;  // int64 [C] each
  };
  int order_ = 0;
  int64_t tokens_ = 0, vocabulary_ = 0;
  std::vector<Table> tables_;  // [k - 1]: order k
};

}  // namespace adapt
