#include "ranking_metrics.h"

#include <algorithm>
#include <cmath>

namespace adapt::recsys {

RankingScores score_ranking(const std::vector<int64_t>& ranked, const std::unordered_set<int64_t>& relevant,
                            int64_t k) {
  RankingScores s;
  if (relevant.empty() || k <= 0) return s;
  const int64_t n = std::min<int64_t>(k, static_cast<int64_t>(ranked.size()));
  int64_t hits = 0;
  double dcg = 0, precision_sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (relevant.count(ranked[i])) {
      ++hits;
      dcg += 1.0 / std::log2(static_cast<double>(i) + 2.0);
      precision_sum += static_cast<double>(hits) / static_cast<double>(i + 1);
    }
  }
  const int64_t ideal_hits = std::min<int64_t>(k, static_cast<int64_t>(relevant.size()));
  double idcg = 0;
  for (int64_t i = 0; i < ideal_hits; ++i) idcg += 1.0 / std::log2(static_cast<double>(i) + 2.0);
  s.hr = hits > 0 ? 1.0 : 0.0;
  s.recall = static_cast<double>(hits) / static_cast<double>(relevant.size());
  s.ndcg = dcg / idcg;
  s.map = precision_sum / static_cast<double>(ideal_hits);
  return s;
}

RankingAccumulator::RankingAccumulator(std::vector<int64_t> ks) : ks_(std::move(ks)), sums_(ks_.size()) {}

void RankingAccumulator::add(const std::vector<int64_t>& ranked, const std::unordered_set<int64_t>& relevant) {
  if (relevant.empty()) return;
  ++users_;
  for (size_t j = 0; j < ks_.size(); ++j) {
    const RankingScores s = score_ranking(ranked, relevant, ks_[j]);
    sums_[j].hr += s.hr;
    sums_[j].recall += s.recall;
    sums_[j].ndcg += s.ndcg;
    sums_[j].map += s.map;
  }
}

std::map<std::string, double> RankingAccumulator::values() const {
  std::map<std::string, double> out;
  const double n = users_ > 0 ? static_cast<double>(users_) : 1.0;
  for (size_t j = 0; j < ks_.size(); ++j) {
    const std::string k = std::to_string(ks_[j]);
    out["hr@" + k] = sums_[j].hr / n;
    out["recall@" + k] = sums_[j].recall / n;
    out["ndcg@" + k] = sums_[j].ndcg / n;
    out["map@" + k] = sums_[j].map / n;
  }
  return out;
}

}  // namespace adapt::recsys
