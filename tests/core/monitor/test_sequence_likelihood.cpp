// SequenceLikelihood: Witten-Bell probabilities worked out by hand, a distribution that sums to one,
// totals that are the sums of their tokens' surprise, and a round trip through an archive.
#include <gtest/gtest.h>

#include <cmath>

#include "adapt/monitor/sequence_likelihood.h"

#include "archive_round_trip.h"

namespace sequence_likelihood_test {

using namespace adapt;

// Rows of ids padded with -1 (never read: past each row's length).
std::pair<torch::Tensor, torch::Tensor> rows(const std::vector<std::vector<int64_t>>& seqs) {
  size_t width = 1;
  for (const auto& s : seqs) width = std::max(width, s.size());
  torch::Tensor ids = torch::full({static_cast<int64_t>(seqs.size()), static_cast<int64_t>(width)}, -1, torch::kLong);
  torch::Tensor lengths = torch::empty({static_cast<int64_t>(seqs.size())}, torch::kLong);
  for (size_t r = 0; r < seqs.size(); ++r) {
    for (size_t i = 0; i < seqs[r].size(); ++i) ids[static_cast<int64_t>(r)][static_cast<int64_t>(i)] = seqs[r][i];
    lengths[static_cast<int64_t>(r)] = static_cast<int64_t>(seqs[r].size());
  }
  return {ids, lengths};
}

TEST(SequenceLikelihood, WittenBellProbabilitiesHaveTheirHandWorkedValues) {
  const auto [ids, lengths] = rows({{1, 2, 3}, {1, 2, 4}});
  const auto m = SequenceLikelihood::fit(ids, lengths, /*order=*/2);
  // Unigrams: 6 tokens of 4 types, so lambda = 6 / 10 over the uniform 1 / 5 (4 seen ids, 1 unseen):
  // p(2) = 0.6 * 2/6 + 0.4 * 0.2 = 0.28. Bigrams after 1: 2 tokens, 1 type, lambda = 2/3:
  // p(2 | 1) = 2/3 * 1 + 1/3 * 0.28 = 0.76.
  EXPECT_NEAR(m.probability({}, 2), 0.28, 1e-12);
  EXPECT_NEAR(m.probability({1}, 2), 0.76, 1e-12);
  EXPECT_NEAR(m.probability({7}, 2), 0.28, 1e-12);  // an unseen context: the unigram stands
  EXPECT_NEAR(m.probability({}, 9), 0.4 * 0.2, 1e-12);  // an unseen id: the uniform share
}

TEST(SequenceLikelihood, EveryContextGivesADistribution) {
  const auto [ids, lengths] = rows({{5, 1, 2, 3, 1, 2}, {5, 2, 2, 1}, {5, 3, 1, 2, 3, 3}});
  const auto m = SequenceLikelihood::fit(ids, lengths, /*order=*/3);
  for (const std::vector<int64_t>& context :
       std::vector<std::vector<int64_t>>{{}, {5}, {1, 2}, {2, 2}, {3, 3}, {9, 9}}) {
    double total = m.probability(context, 100);  // the share of every unseen id, once
    for (int64_t token : {1, 2, 3, 5}) total += m.probability(context, token);
    EXPECT_NEAR(total, 1.0, 1e-12) << "context of " << context.size();
  }
}

TEST(SequenceLikelihood, TotalsSumTheTokensSurpriseAndTheUnfamiliarScoreHigher) {
  const auto [ids, lengths] = rows({{0, 1, 2, 3, 4}, {0, 1, 2, 3, 5}, {0, 1, 2, 4, 5}});
  const auto m = SequenceLikelihood::fit(ids, lengths);
  const auto [probe, probe_lengths] = rows({{0, 1, 2, 3}, {0, 3, 2, 1}, {0, 8, 9, 8}, {0, 1, 2, 3, 4, 0, 1, 2, 3, 4}});
  const torch::Tensor nll = m.nll(probe, probe_lengths);
  const double expected =
      -std::log(m.probability({}, 0)) - std::log(m.probability({0}, 1)) - std::log(m.probability({0, 1}, 2)) -
      std::log(m.probability({1, 2}, 3));
  EXPECT_NEAR(nll[0].item<double>(), expected, 1e-9);
  EXPECT_LT(nll[0].item<double>(), nll[1].item<double>());  // the same ids in another order
  EXPECT_LT(nll[1].item<double>(), nll[2].item<double>());  // ids never seen
  EXPECT_LT(nll[0].item<double>(), nll[3].item<double>());  // twice as long
  // Token by token: the first row's surprises, zero after its length; each row's sum is its total.
  const torch::Tensor per_token = m.token_nll(probe, probe_lengths);
  EXPECT_NEAR(per_token[0][1].item<double>(), -std::log(m.probability({0}, 1)), 1e-12);
  EXPECT_EQ(per_token[0].slice(0, 4).abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(per_token.sum(1), nll, 1e-12, 1e-12));
}

TEST(SequenceLikelihood, StateAndArchiveRoundTripGiveTheSameTotals) {
  const auto [ids, lengths] = rows({{3, 1, 4, 1, 5}, {9, 2, 6, 5, 3}, {5, 8, 9, 7, 9}});
  const auto m = SequenceLikelihood::fit(ids, lengths);
  torch::serialize::InputArchive in;
  monitor_test::archive_round_trip([&](torch::serialize::OutputArchive& out) { m.write(out, "lm"); }, in);
  const auto loaded = SequenceLikelihood::load(m.state(), in, "lm");
  EXPECT_TRUE(torch::equal(loaded.nll(ids, lengths), m.nll(ids, lengths)));
  EXPECT_EQ(loaded.state(), m.state());
}

TEST(SequenceLikelihood, BadInputsAreErrors) {
  const auto [ids, lengths] = rows({{1, 2}});
  EXPECT_THROW(SequenceLikelihood::fit(ids, lengths, 4), OptionError);
  EXPECT_THROW(SequenceLikelihood::fit(ids.to(torch::kFloat), lengths), Error);
  EXPECT_THROW(SequenceLikelihood::fit(ids, torch::ones({3}, torch::kLong)), Error);
  const auto [negative, n_lengths] = rows({{1, -5}});
  EXPECT_THROW(SequenceLikelihood::fit(negative, n_lengths), Error);
  EXPECT_THROW(SequenceLikelihood::fit(ids, torch::zeros({1}, torch::kLong)), Error);  // no tokens
}

}  // namespace sequence_likelihood_test
