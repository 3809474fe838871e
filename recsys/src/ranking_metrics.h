#pragma once
// Top-k ranking metrics for one user, averaged over users by RankingAccumulator.
//   hr@k      1 when any relevant item is in the top k (hit rate)
//   recall@k  relevant items in the top k / relevant items
//   ndcg@k    DCG of the top k (gain 1 / log2(rank + 1)) over the ideal DCG of min(|relevant|, k) hits
//   map@k     average precision at k: sum over hits of precision at that rank, / min(|relevant|, k)
// A user without relevant items is skipped (the metrics are undefined for them).
#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace adapt::recsys {

struct RankingScores {
  double hr = 0, recall = 0, ndcg = 0, map = 0;
};

// `ranked`: item ids best first (at least k of them when there are; fewer is fine).
RankingScores score_ranking(const std::vector<int64_t>& ranked, const std::unordered_set<int64_t>& relevant, int64_t k);

class RankingAccumulator {
 public:
  explicit RankingAccumulator(std::vector<int64_t> ks);
  void add(const std::vector<int64_t>& ranked, const std::unordered_set<int64_t>& relevant);
  int64_t users() const { return users_; }
  // {"hr@10": ..., "recall@10": ..., "ndcg@10": ..., "map@10": ...}; zeros when no user was added.
  std::map<std::string, double> values() const;

 private:
  std::vector<int64_t> ks_;
  std::vector<RankingScores> sums_;
  int64_t users_ = 0;
};

}  // namespace adapt::recsys
