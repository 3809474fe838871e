// SequenceLikelihood: interpolated Witten-Bell n-grams over token ids; see sequence_likelihood.h.
#include "adapt/monitor/sequence_likelihood.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace adapt {
namespace {

// The last `n` ids before position `end` of `row` packed into one key, 21 bits each (each order has
// its own tables, so keys of different lengths never meet).
int64_t pack(const int64_t* row, int64_t end, int64_t n) {
  int64_t key = 0;
  for (int64_t i = end - n; i < end; ++i) key = (key << 21) | row[i];
  return key;
}

// The position of `key` in sorted `keys`, or -1.
int64_t find_index(const torch::Tensor& keys, int64_t key) {
  const int64_t* k = keys.data_ptr<int64_t>();
  const int64_t n = keys.size(0);
  const int64_t* it = std::lower_bound(k, k + n, key);
  return it != k + n && *it == key ? it - k : -1;
}

int64_t find_count(const torch::Tensor& keys, const torch::Tensor& values, int64_t key) {
  const int64_t i = find_index(keys, key);
  return i < 0 ? 0 : values.data_ptr<int64_t>()[i];
}

std::pair<torch::Tensor, torch::Tensor> sorted_tensors(const std::unordered_map<int64_t, int64_t>& counts) {
  std::vector<std::pair<int64_t, int64_t>> items(counts.begin(), counts.end());
  std::sort(items.begin(), items.end());
  torch::Tensor keys = torch::empty({static_cast<int64_t>(items.size())}, torch::kLong);
  torch::Tensor values = torch::empty({static_cast<int64_t>(items.size())}, torch::kLong);
  for (size_t i = 0; i < items.size(); ++i) {
    keys.data_ptr<int64_t>()[i] = items[i].first;
    values.data_ptr<int64_t>()[i] = items[i].second;
  }
  return {keys, values};
}

void check_ids(const torch::Tensor& ids, const torch::Tensor& lengths) {
  if (!ids.defined() || ids.dim() != 2 || ids.scalar_type() != torch::kLong)
    throw Error("sequence likelihood: expected token ids [N, T] int64");
  if (!lengths.defined() || lengths.dim() != 1 || lengths.size(0) != ids.size(0))
    throw Error("sequence likelihood: expected one length per row");
}

}  // namespace

SequenceLikelihood SequenceLikelihood::fit(const torch::Tensor& ids_in, const torch::Tensor& lengths_in, int order,
                                           int64_t max_tokens) {
  check_ids(ids_in, lengths_in);
  if (order < 1 || order > kMaxOrder)
    throw OptionError("sequence likelihood: order must lie in [1, " + std::to_string(kMaxOrder) + "]");
  const torch::Tensor ids = ids_in.contiguous(), lengths = lengths_in.to(torch::kLong).contiguous();
  std::vector<std::unordered_map<int64_t, int64_t>> grams(static_cast<size_t>(order));
  std::vector<std::unordered_map<int64_t, int64_t>> contexts(static_cast<size_t>(order));
  std::unordered_set<int64_t> vocabulary;
  SequenceLikelihood m;
  m.order_ = order;
  for (int64_t r = 0; r < ids.size(0) && m.tokens_ < max_tokens; ++r) {
    const int64_t* row = ids.data_ptr<int64_t>() + r * ids.size(1);
    const int64_t len = std::min(lengths.data_ptr<int64_t>()[r], ids.size(1));
    for (int64_t i = 0; i < len; ++i) {
      if (row[i] < 0 || row[i] > kMaxId)
        throw Error("sequence likelihood: token id " + std::to_string(row[i]) + " lies outside [0, 2^21)");
      vocabulary.insert(row[i]);
      ++m.tokens_;
      for (int64_t k = 1; k <= order && k <= i + 1; ++k) {
        const int64_t gram = pack(row, i + 1, k);
        if (grams[static_cast<size_t>(k - 1)][gram]++ == 0) ++contexts[static_cast<size_t>(k - 1)][pack(row, i, k - 1)];
      }
    }
  }
  if (m.tokens_ == 0) throw Error("sequence likelihood: the training sequences hold no tokens");
  m.vocabulary_ = static_cast<int64_t>(vocabulary.size());
  for (int k = 1; k <= order; ++k) {
    Table t;
    std::tie(t.keys, t.counts) = sorted_tensors(grams[static_cast<size_t>(k - 1)]);
    // A context's count is the sum of its n-grams' counts (the n-gram less its last id); its types
    // were counted above.
    std::unordered_map<int64_t, int64_t> context_counts;
    for (const auto& [gram, count] : grams[static_cast<size_t>(k - 1)]) context_counts[gram >> 21] += count;
    std::tie(t.context_keys, t.context_counts) = sorted_tensors(context_counts);
    t.types = torch::empty_like(t.context_counts);
    for (int64_t c = 0; c < t.context_keys.size(0); ++c)
      t.types.data_ptr<int64_t>()[c] = contexts[static_cast<size_t>(k - 1)].at(t.context_keys.data_ptr<int64_t>()[c]);
    m.tables_.push_back(std::move(t));
  }
  return m;
}

double SequenceLikelihood::probability(const std::vector<int64_t>& context, int64_t token) const {
  if (empty()) throw Error("sequence likelihood: not fitted");
  std::vector<int64_t> row(context.end() - std::min<ptrdiff_t>(static_cast<ptrdiff_t>(context.size()), order_ - 1),
                           context.end());
  row.push_back(token);
  return probability_at(row.data(), static_cast<int64_t>(row.size()) - 1);
}

// p(row[i] | the ids before it), without copying them: nll() calls this once per token.
double SequenceLikelihood::probability_at(const int64_t* row, int64_t i) const {
  const int64_t first = std::max<int64_t>(0, i - (order_ - 1));
  for (int64_t j = first; j <= i; ++j)
    if (row[j] < 0 || row[j] > kMaxId) return 1.0 / static_cast<double>(vocabulary_ + 1);
  double p = 1.0 / static_cast<double>(vocabulary_ + 1);  // uniform over the seen ids and one unseen
  for (int64_t k = 1; k <= order_ && k <= i + 1; ++k) {
    const Table& t = tables_[static_cast<size_t>(k - 1)];
    const int64_t at = find_index(t.context_keys, pack(row, i, k - 1));
    if (at < 0) continue;  // an unseen context: the lower order's estimate stands
    const int64_t c = t.context_counts.data_ptr<int64_t>()[at];
    const auto types = static_cast<double>(t.types.data_ptr<int64_t>()[at]);
    const auto seen = static_cast<double>(find_count(t.keys, t.counts, pack(row, i + 1, k)));
    const double lambda = static_cast<double>(c) / (static_cast<double>(c) + types);
    p = lambda * seen / static_cast<double>(c) + (1.0 - lambda) * p;
  }
  return p;
}

torch::Tensor SequenceLikelihood::token_nll(const torch::Tensor& ids_in, const torch::Tensor& lengths_in) const {
  check_ids(ids_in, lengths_in);
  if (empty()) throw Error("sequence likelihood: not fitted");
  const torch::Tensor ids = ids_in.contiguous(), lengths = lengths_in.to(torch::kLong).contiguous();
  torch::Tensor out = torch::zeros({ids.size(0), ids.size(1)}, torch::kDouble);
  for (int64_t r = 0; r < ids.size(0); ++r) {
    const int64_t* row = ids.data_ptr<int64_t>() + r * ids.size(1);
    double* to = out.data_ptr<double>() + r * ids.size(1);
    const int64_t len = std::min(lengths.data_ptr<int64_t>()[r], ids.size(1));
    for (int64_t i = 0; i < len; ++i) to[i] = -std::log(probability_at(row, i));
  }
  return out;
}

torch::Tensor SequenceLikelihood::nll(const torch::Tensor& ids, const torch::Tensor& lengths) const {
  const torch::Tensor tokens = token_nll(ids, lengths);
  torch::Tensor out = torch::zeros({tokens.size(0)}, torch::kDouble);
  for (int64_t r = 0; r < tokens.size(0); ++r) {  // in token order, as the surprise accumulates
    const double* row = tokens.data_ptr<double>() + r * tokens.size(1);
    double total = 0.0;
    for (int64_t i = 0; i < tokens.size(1); ++i) total += row[i];
    out.data_ptr<double>()[r] = total;
  }
  return out;
}

json SequenceLikelihood::state() const { return {{"order", order_}, {"tokens", tokens_}, {"vocabulary", vocabulary_}}; }

void SequenceLikelihood::write(torch::serialize::OutputArchive& archive, const std::string& prefix) const {
  for (size_t k = 0; k < tables_.size(); ++k) {
    const Table& t = tables_[k];
    const std::string p = prefix + "_" + std::to_string(k + 1) + "_";
    archive.write(p + "keys", t.keys);
    archive.write(p + "counts", t.counts);
    archive.write(p + "context_keys", t.context_keys);
    archive.write(p + "context_counts", t.context_counts);
    archive.write(p + "types", t.types);
  }
}

SequenceLikelihood SequenceLikelihood::load(const json& state, torch::serialize::InputArchive& archive,
                                            const std::string& prefix) {
  SequenceLikelihood m;
  m.order_ = state.at("order").get<int>();
  m.tokens_ = state.at("tokens").get<int64_t>();
  m.vocabulary_ = state.at("vocabulary").get<int64_t>();
  if (m.order_ < 1 || m.order_ > kMaxOrder) throw Error("sequence likelihood: order " + std::to_string(m.order_));
  for (int k = 1; k <= m.order_; ++k) {
    Table t;
    const std::string p = prefix + "_" + std::to_string(k) + "_";
    archive.read(p + "keys", t.keys);
    archive.read(p + "counts", t.counts);
    archive.read(p + "context_keys", t.context_keys);
    archive.read(p + "context_counts", t.context_counts);
    archive.read(p + "types", t.types);
    if (t.keys.size(0) != t.counts.size(0) || t.context_keys.size(0) != t.context_counts.size(0) ||
        t.context_keys.size(0) != t.types.size(0))
      throw Error("sequence likelihood: the order-" + std::to_string(k) + " tables disagree in length");
    m.tables_.push_back(std::move(t));
  }
  return m;
}

}  // namespace adapt
