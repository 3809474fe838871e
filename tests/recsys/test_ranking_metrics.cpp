// Ranking metrics: hand-computed known answers.
#include <gtest/gtest.h>

#include <cmath>

#include "ranking_metrics.h"

using adapt::recsys::RankingAccumulator;
using adapt::recsys::score_ranking;

TEST(RankingMetrics, KnownAnswers) {
  // Relevant {3, 7}; ranked 5 3 9 7 1: hits at ranks 2 and 4.
  auto s = score_ranking({5, 3, 9, 7, 1}, {3, 7}, 5);
  EXPECT_DOUBLE_EQ(s.hr, 1.0);
  EXPECT_DOUBLE_EQ(s.recall, 1.0);
  const double dcg = 1 / std::log2(3.0) + 1 / std::log2(5.0);
  const double idcg = 1 + 1 / std::log2(3.0);
  EXPECT_DOUBLE_EQ(s.ndcg, dcg / idcg);
  EXPECT_DOUBLE_EQ(s.map, (1.0 / 2 + 2.0 / 4) / 2);

  auto top2 = score_ranking({5, 3, 9, 7, 1}, {3, 7}, 2);
  EXPECT_DOUBLE_EQ(top2.recall, 0.5);
  EXPECT_DOUBLE_EQ(top2.ndcg, (1 / std::log2(3.0)) / idcg);
  EXPECT_DOUBLE_EQ(top2.map, (1.0 / 2) / 2);

  auto miss = score_ranking({1, 2}, {3}, 2);
  EXPECT_EQ(miss.hr, 0.0);
  EXPECT_EQ(miss.ndcg, 0.0);

  // Leave-one-out: NDCG is 1 / log2(rank + 1) of the single held-out item.
  EXPECT_DOUBLE_EQ(score_ranking({4, 8, 6}, {6}, 10).ndcg, 1 / std::log2(4.0));
  EXPECT_DOUBLE_EQ(score_ranking({4, 8, 6}, {6}, 10).map, 1.0 / 3);
}

TEST(RankingMetrics, AccumulatorAveragesOverUsersWithRelevantItems) {
  RankingAccumulator acc({1, 3});
  acc.add({1, 2, 3}, {1});
  acc.add({1, 2, 3}, {3});
  acc.add({1, 2, 3}, {});  // skipped
  EXPECT_EQ(acc.users(), 2);
  auto v = acc.values();
  EXPECT_DOUBLE_EQ(v["hr@1"], 0.5);
  EXPECT_DOUBLE_EQ(v["hr@3"], 1.0);
  EXPECT_DOUBLE_EQ(v["ndcg@3"], (1.0 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(v["map@3"], (1.0 + 1.0 / 3) / 2);
}
