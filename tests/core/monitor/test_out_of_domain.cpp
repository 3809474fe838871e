// OutOfDomainScorer: known Mahalanobis distances and energies, a threshold that accepts the stated
// share of in-domain rows, far-away rows flagged, and a round trip through an archive.
#include <gtest/gtest.h>

#include <cmath>


#include "adapt/metrics/metrics.h"
#include "adapt/monitor/out_of_domain.h"
#include "adapt/monitor/sequence_likelihood.h"
#include "monitor/out_of_domain_text.h"

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

// The components are computed in plain loops (fast on serving's few rows); they equal their
// definitions written with ATen operators to rounding, and NaN in a row gives that row NaN.
TEST(OutOfDomain, ComponentsEqualTheirDefinitions) {
  const auto [x, c] = two_blobs(600, 7);
  auto scorer = OutOfDomainScorer::fit(x, c, 2, /*energy=*/true);
  const torch::Tensor logits = torch::randn({600, 3}, torch::kDouble) * 4.0;
  scorer.calibrate(x, logits);
  const json state = scorer.state();
  // The fitted means and precision, read back through an archive.
  torch::serialize::InputArchive in;
  monitor_test::archive_round_trip([&](torch::serialize::OutputArchive& out) { scorer.write(out); }, in);
  torch::Tensor means, precision;
  in.read("ood_means", means);
  in.read("ood_precision", precision);
  means = means.to(torch::kDouble), precision = precision.to(torch::kDouble);
  for (const int64_t n : {1, 3, 600}) {
    const torch::Tensor z = x.narrow(0, 0, n) * 1.5, l = logits.narrow(0, 0, n);
    const torch::Tensor raw = scorer.components(z, l);
    std::vector<torch::Tensor> distances;
    for (int64_t k = 0; k < means.size(0); ++k) {
      const torch::Tensor centred = z - means[k];
      distances.push_back((centred.mm(precision) * centred).sum(1));
    }
    const torch::Tensor expected = torch::stack({std::get<0>(torch::stack(distances, 1).min(1)), -torch::logsumexp(l, 1)}, 1);
    EXPECT_TRUE(torch::allclose(raw, expected, 1e-10, 1e-10)) << n << " rows: " << (raw - expected).abs().max();
    torch::Tensor z_scores = raw.clone();
    for (int64_t k = 0; k < 2; ++k)
      z_scores.select(1, k).sub_(state["centre"][k].get<double>()).div_(state["scale"][k].get<double>());
    EXPECT_TRUE(torch::equal(scorer.score(z, l), std::get<0>(z_scores.max(1)))) << n << " rows";
  }
  torch::Tensor bad = x.narrow(0, 0, 3).clone(), bad_logits = logits.narrow(0, 0, 3).clone();
  bad[1][2] = std::nan("");
  bad_logits[2][0] = std::nan("");
  const torch::Tensor scores = scorer.score(bad, bad_logits);
  EXPECT_FALSE(std::isnan(scores[0].item<double>()));
  EXPECT_TRUE(std::isnan(scores[1].item<double>()));
  EXPECT_TRUE(std::isnan(scores[2].item<double>()));
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

// Token inputs: "ab" repeated is in domain, the same pieces shuffled or other pieces are not; the
// typicality component has its defining value, the score is its robust z-score alone (the others
// reported), and both ride through the archive with the other components.
OutOfDomainScorer::Sequences token_rows(int64_t n, uint64_t seed, bool familiar) {
  torch::manual_seed(seed);
  const int64_t width = 12;
  torch::Tensor ids = familiar ? torch::arange(width, torch::kLong).remainder(2).add(1).repeat({n, 1})
                               : torch::randint(1, 40, {n, width}, torch::kLong);
  const torch::Tensor lengths = torch::randint(6, width + 1, {n}, torch::kLong);
  return OutOfDomainScorer::Sequences{{"x", TokenSequences{ids, lengths}}};
}

TEST(OutOfDomain, TokenInputsGiveTheTypicalityComponent) {
  const auto [x, c] = two_blobs(600, 8);
  const auto train = token_rows(300, 1, true), valid = token_rows(300, 2, true), probe = token_rows(300, 3, false);
  auto scorer = OutOfDomainScorer::fit(x.slice(0, 0, 300), c.slice(0, 0, 300), 2, false, {}, train);
  EXPECT_EQ(scorer.component_names(), (std::vector<std::string>{"mahalanobis", "typicality"}));
  EXPECT_TRUE(scorer.uses_sequences());
  scorer.calibrate(x.slice(0, 300), torch::Tensor(), valid);
  const torch::Tensor strange = scorer.score(x.slice(0, 300), torch::Tensor(), probe);
  EXPECT_GT((strange > scorer.threshold()).to(torch::kDouble).mean().item<double>(), 0.99);
  EXPECT_THROW(scorer.score(x.slice(0, 300), torch::Tensor()), Error);  // the token ids are needed

  // Its value: (T - mu n) / (sigma sqrt n), mu and sigma of the validation rows' per-token surprise.
  const json state = scorer.state();
  EXPECT_EQ(state.at("combine"), "typicality");
  const auto lm = SequenceLikelihood::fit(train.at("x").ids, train.at("x").lengths);
  const torch::Tensor valid_tokens = lm.token_nll(valid.at("x").ids, valid.at("x").lengths);
  const torch::Tensor mask = torch::arange(12).unsqueeze(0) < valid.at("x").lengths.unsqueeze(1);
  const torch::Tensor seen = valid_tokens.masked_select(mask);
  const double mu = seen.mean().item<double>(), sigma = std::sqrt((seen * seen).mean().item<double>() - mu * mu);
  EXPECT_NEAR(state["token_surprise"]["mean"].get<double>(), mu, 1e-9);
  EXPECT_NEAR(state["token_surprise"]["deviation"].get<double>(), sigma, 1e-9);
  const torch::Tensor n = probe.at("x").lengths.to(torch::kDouble);
  const torch::Tensor expected = (lm.nll(probe.at("x").ids, probe.at("x").lengths) - mu * n) / (sigma * n.sqrt());
  const torch::Tensor raw = scorer.components(x.slice(0, 300), {}, probe);
  EXPECT_TRUE(torch::allclose(raw.select(1, 1), expected, 1e-9, 1e-9));
  torch::Tensor z = raw.clone();
  for (int64_t k = 0; k < 2; ++k) z.select(1, k).sub_(state["centre"][k].get<double>()).div_(state["scale"][k].get<double>());
  EXPECT_TRUE(torch::allclose(strange, z.select(1, 1), 1e-12, 1e-12));
  EXPECT_FALSE(torch::allclose(strange, z.sum(1), 1e-6, 1e-6));

  torch::serialize::InputArchive in;
  monitor_test::archive_round_trip([&](torch::serialize::OutputArchive& out) { scorer.write(out); }, in);
  const auto loaded = OutOfDomainScorer::load(state, in, "test");
  EXPECT_TRUE(torch::equal(loaded.score(x.slice(0, 300), {}, probe), strange));
  // An export written while typicality was summed with the others (2026-12-04/05) scores as it did.
  json summed = state;
  summed["combine"] = "sum";
  const auto old = OutOfDomainScorer::load(summed, in, "test");
  EXPECT_TRUE(torch::allclose(old.score(x.slice(0, 300), {}, probe), z.sum(1), 1e-12, 1e-12));
  EXPECT_EQ(old.state().at("combine"), "sum");
}

// An export written before typicality holds "likelihood" (the total surprise) and no "combine": it is
// read and scored as it was then, by the largest robust z-score.
TEST(OutOfDomain, ExportsFromBeforeTypicalityScoreAsTheyDid) {
  const auto [x, c] = two_blobs(600, 9);
  const auto train = token_rows(300, 1, true), probe = token_rows(300, 3, false);
  auto scorer = OutOfDomainScorer::fit(x.slice(0, 0, 300), c.slice(0, 0, 300), 2, false, {}, train);
  scorer.calibrate(x.slice(0, 300), torch::Tensor(), token_rows(300, 2, true));
  json old = scorer.state();
  old["components"] = {"mahalanobis", "likelihood"};
  old.erase("combine");
  old.erase("token_surprise");
  old["centre"] = {old["centre"][0], 40.0};
  old["scale"] = {old["scale"][0], 5.0};
  torch::serialize::InputArchive in;
  monitor_test::archive_round_trip([&](torch::serialize::OutputArchive& out) { scorer.write(out); }, in);
  const auto loaded = OutOfDomainScorer::load(old, in, "test");
  const torch::Tensor raw = loaded.components(x.slice(0, 300), {}, probe);
  const auto lm = SequenceLikelihood::fit(train.at("x").ids, train.at("x").lengths);
  EXPECT_TRUE(torch::equal(raw.select(1, 1), lm.nll(probe.at("x").ids, probe.at("x").lengths)));
  const torch::Tensor largest =
      torch::max((raw.select(1, 0) - old["centre"][0].get<double>()) / old["scale"][0].get<double>(),
                 (raw.select(1, 1) - 40.0) / 5.0);
  EXPECT_TRUE(torch::allclose(loaded.score(x.slice(0, 300), {}, probe), largest, 1e-12, 1e-12));
  old["combine"] = "product";
  EXPECT_THROW(OutOfDomainScorer::load(old, in, "test"), Error);
  json typical = scorer.state();  // typicality decides or is summed: a state saying otherwise is damaged
  typical["combine"] = "largest";
  EXPECT_THROW(OutOfDomainScorer::load(typical, in, "test"), Error);
  old["combine"] = "typicality";  // and "typicality" without the component is damage too
  EXPECT_THROW(OutOfDomainScorer::load(old, in, "test"), Error);
}

// What `adapt train` and the run report say of a scorer: its components and how they combine.
TEST(OutOfDomain, ComponentsInWords) {
  using adapt::detail::out_of_domain_components;
  EXPECT_EQ(out_of_domain_components({{"components", {"mahalanobis", "energy", "typicality"}}, {"combine", "typicality"}}),
            "mahalanobis, energy and typicality: typicality decides (the others reported)");
  EXPECT_EQ(out_of_domain_components({{"components", {"mahalanobis", "energy", "typicality"}}, {"combine", "sum"}}),
            "mahalanobis, energy and typicality, summed");
  EXPECT_EQ(out_of_domain_components({{"components", {"mahalanobis", "energy"}}, {"combine", "largest"}}),
            "mahalanobis and energy, the largest");
  EXPECT_EQ(out_of_domain_components({{"components", {"mahalanobis", "likelihood"}}}),  // before "combine"
            "mahalanobis and likelihood, the largest");
  EXPECT_EQ(out_of_domain_components({{"components", {"energy"}}}), "energy");
  EXPECT_EQ(out_of_domain_components({{"components", 3}}), "");
  EXPECT_EQ(out_of_domain_components(json::array()), "");
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
