// OutOfDomainScorer: known Mahalanobis distances and energies, a threshold that accepts the stated
// share of in-domain rows, far-away rows flagged, and a round trip through an archive.
#include <gtest/gtest.h>


#include "adapt/metrics/metrics.h"
#include "adapt/monitor/out_of_domain.h"

#include "archive_round_trip.h"

namespace out_of_domain_test {

using namespace adapt;

// Two classes in 4-d: N(+-2 e0, I); `shift` moves every row along e1.
std::pair<torch::Tensor, torch::Tensor> two_blobs(int64_t n, uint64_t seed, double shift = 0.0) {
  torch::manual_seed(seed);
  torch::Tensor classes = torch::randint(0, 2, {n}, torch::kLong);
  torch::Tensor x = torch::randn({n, 4}, torch::kDouble);
  x.select(1, 0) += classes.to(torch::kDouble) * 4.0 - 2.0;
  x.select(1, 1) += shift;
  return {x, classes};
}

TEST(OutOfDomain, MahalanobisAndEnergyHaveTheirKnownValues) {
  // Mean 0, covariance diag(2/3, 2/3): (2, 0) lies 4 / (2/3) = 6 away.
  const torch::Tensor x = torch::tensor({1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0}, torch::kDouble).view({4, 2});
  OutOfDomainOptions o;
  o.shrinkage = 0.0;
  const auto scorer = OutOfDomainScorer::fit(x, torch::Tensor(), 0, /*energy=*/true, o);
  const torch::Tensor point = torch::tensor({2.0, 0.0}, torch::kDouble).view({1, 2});
  const torch::Tensor logits = torch::zeros({1, 2}, torch::kDouble);
  const torch::Tensor c = scorer.components(point, logits);
  EXPECT_NEAR(c[0][0].item<double>(), 6.0, 1e-5);
  EXPECT_NEAR(c[0][1].item<double>(), -std::log(2.0), 1e-12);
  EXPECT_EQ(scorer.component_names(), (std::vector<std::string>{"mahalanobis", "energy"}));
}

TEST(OutOfDomain, TheThresholdAcceptsTheStatedShareAndFarRowsAreFlagged) {
  const auto [train_x, train_c] = two_blobs(4000, 1);
  auto scorer = OutOfDomainScorer::fit(train_x, train_c, 2, /*energy=*/false);
  const auto [valid_x, valid_c] = two_blobs(4000, 2);
  scorer.calibrate(valid_x, torch::Tensor());
  const auto [test_x, test_c] = two_blobs(4000, 3);
  const torch::Tensor in = scorer.score(test_x, torch::Tensor());
  const double accepted = (in <= scorer.threshold()).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(accepted, 0.95, 0.015);
  const auto [far_x, far_c] = two_blobs(1000, 4, /*shift=*/8.0);
  const torch::Tensor out = scorer.score(far_x, torch::Tensor());
  EXPECT_GT((out > scorer.threshold()).to(torch::kDouble).mean().item<double>(), 0.99);
  // In-domain as the positive class, as the issue states AUROC.
  const torch::Tensor s = -torch::cat({in, out}).to(torch::kFloat);
  const torch::Tensor labels = torch::cat({torch::ones({4000}), torch::zeros({1000})});
  EXPECT_GT(binary_auroc(s, labels), 0.99);
}

TEST(OutOfDomain, ClassMeansMatter) {
  // Between the two class means lies the overall mean: near it under one Gaussian, far from both
  // classes under class-conditional ones.
  const auto [x, c] = two_blobs(4000, 5);
  const auto by_class = OutOfDomainScorer::fit(x, c, 2, false), pooled = OutOfDomainScorer::fit(x, torch::Tensor(), 0, false);
  const torch::Tensor middle = torch::zeros({1, 4}, torch::kDouble);
  EXPECT_GT(by_class.components(middle, {})[0][0].item<double>(), 3.0);
  EXPECT_LT(pooled.components(middle, {})[0][0].item<double>(), 0.5);
}

TEST(OutOfDomain, StateAndArchiveRoundTripGiveTheSameScores) {
  const auto [x, c] = two_blobs(500, 6);
  auto scorer = OutOfDomainScorer::fit(x, c, 2, true);
  const torch::Tensor logits = torch::randn({500, 2}, torch::kDouble);
  scorer.calibrate(x, logits);
  torch::serialize::InputArchive in;
  monitor_test::archive_round_trip([&](torch::serialize::OutputArchive& out) { scorer.write(out); }, in);
  const auto loaded = OutOfDomainScorer::load(scorer.state(), in, "test");
  EXPECT_TRUE(torch::equal(loaded.score(x, logits), scorer.score(x, logits)));
  EXPECT_EQ(loaded.threshold(), scorer.threshold());
}

// Token inputs: "ab" repeated is in domain, the same pieces shuffled or other pieces are not, and the
// likelihood rides through the archive with the other components.
TEST(OutOfDomain, TokenInputsGiveTheLikelihoodComponent) {
  auto sequences = [](int64_t n, uint64_t seed, bool familiar) {
    torch::manual_seed(seed);
    const int64_t width = 12;
    torch::Tensor ids = familiar ? torch::arange(width, torch::kLong).remainder(2).add(1).repeat({n, 1})
                                 : torch::randint(1, 40, {n, width}, torch::kLong);
    const torch::Tensor lengths = torch::randint(6, width + 1, {n}, torch::kLong);
    return OutOfDomainScorer::Sequences{{"x", TokenSequences{ids, lengths}}};
  };
  const auto [x, c] = two_blobs(600, 8);
  auto scorer = OutOfDomainScorer::fit(x.slice(0, 0, 300), c.slice(0, 0, 300), 2, false, {}, sequences(300, 1, true));
  EXPECT_EQ(scorer.component_names(), (std::vector<std::string>{"mahalanobis", "likelihood"}));
  EXPECT_TRUE(scorer.uses_sequences());
  scorer.calibrate(x.slice(0, 300), torch::Tensor(), sequences(300, 2, true));
  const torch::Tensor strange = scorer.score(x.slice(0, 300), torch::Tensor(), sequences(300, 3, false));
  EXPECT_GT((strange > scorer.threshold()).to(torch::kDouble).mean().item<double>(), 0.99);
  EXPECT_THROW(scorer.score(x.slice(0, 300), torch::Tensor()), Error);  // the token ids are needed
  torch::serialize::InputArchive in;
  monitor_test::archive_round_trip([&](torch::serialize::OutputArchive& out) { scorer.write(out); }, in);
  const auto loaded = OutOfDomainScorer::load(scorer.state(), in, "test");
  const auto probe = sequences(300, 4, false);
  EXPECT_TRUE(torch::equal(loaded.score(x.slice(0, 300), {}, probe), scorer.score(x.slice(0, 300), {}, probe)));
}

TEST(OutOfDomain, BadOptionsAndInputsAreErrors) {
  const auto [x, c] = two_blobs(50, 7);
  OutOfDomainOptions o;
  o.accept_share = 1.0;
  EXPECT_THROW(OutOfDomainScorer::fit(x, c, 2, false, o), OptionError);
  EXPECT_THROW(OutOfDomainScorer::fit(torch::Tensor(), torch::Tensor(), 0, false), Error);
  const auto scorer = OutOfDomainScorer::fit(x, c, 2, false);
  EXPECT_THROW(scorer.score(torch::zeros({3, 5}, torch::kDouble), {}), Error);  // another width
}

}  // namespace out_of_domain_test
