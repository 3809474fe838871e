#pragma once
// Out-of-domain scores: how unlike the training data an input looks to the model. Up to three
// components, each read from what the model computes anyway:
//   mahalanobis  the squared Mahalanobis distance of the pooled features (Model::embed) to the
//                nearest class mean, under one covariance shared by the classes (Lee et al. 2018);
//                one Gaussian for targets without classes;
//   energy       -logsumexp of a classifier's logits (Liu et al. 2020): low for inputs the model
//                is confident about, of whatever class;
//   typicality   for token inputs (text pieces, residues): how far the total surprise T of an input's
//                n tokens under an n-gram model of the training sequences (sequence_likelihood.h) lies
//                from what n typical tokens give, (T - mu n) / (sigma sqrt n), with mu and sigma the
//                per-token surprise's mean and deviation on the calibration rows (a typicality test,
//                Nalisnick et al. 2019): what a classifier's features forget about its inputs.
// Each component is centred and scaled by its median and interquartile range on in-domain rows the
// model did not train on (validation). With typicality the score is its robust z-score alone, the
// others reported beside it (chosen on three validation sources, docs/monitoring.md); without it, the
// largest (an input any one finds unusual scores high). The threshold accepts `accept_share` of those
// rows. Exports keep the rule they were written with: `likelihood` (the total surprise, before
// typicality) the largest; typicality written before it decided alone, the sum.
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "adapt/common/error.h"
#include "adapt/common/options.h"
#include "adapt/monitor/sequence_likelihood.h"
#include "adapt/train/learner.h"

namespace adapt {

struct OutOfDomainOptions {
  double accept_share = 0.95;  // share of in-domain (validation) inputs the threshold accepts
  // The covariance is shrunk this far towards its mean variance: a few hundred rows in hundreds of
  // dimensions give a singular covariance otherwise.
  double shrinkage = 0.1;
};

class ADAPT_API OutOfDomainScorer {
 public:
  OutOfDomainScorer() = default;
  using Sequences = std::map<std::string, TokenSequences>;  // token inputs by batch key

  // `features` [N, D] of training rows (undefined: no mahalanobis component); `classes` [N] int64
  // class ids in [0, n_classes) or undefined (one Gaussian); `energy`: whether logits are a
  // classifier's (softmax) and give the energy component; `sequences`: the rows' token inputs (none:
  // no likelihood component).
  static OutOfDomainScorer fit(const torch::Tensor& features, const torch::Tensor& classes, int64_t n_classes,
                               bool energy, const OutOfDomainOptions& options = {}, const Sequences& sequences = {});
  // Sets the per-token surprise's mean and deviation, each component's centre and scale and the
  // threshold from in-domain rows not fitted on; returns those rows' scores [N] (what score() would give
  // them), so the caller need not score again.
  torch::Tensor calibrate(const torch::Tensor& features, const torch::Tensor& logits, const Sequences& sequences = {});
  // [N], higher is more unusual; `features`, `logits` or `sequences` may be left out when the scorer
  // lacks that component.
  torch::Tensor score(const torch::Tensor& features, const torch::Tensor& logits, const Sequences& sequences = {}) const;
  // Each component's raw value [N, n_components] (before centring), in components() order.
  torch::Tensor components(const torch::Tensor& features, const torch::Tensor& logits,
                           const Sequences& sequences = {}) const;

  bool empty() const { return names_.empty(); }
  bool uses_features() const { return means_.defined(); }
  bool uses_logits() const { return energy_; }
  bool uses_sequences() const { return !likelihoods_.empty(); }
  const std::vector<std::string>& component_names() const { return names_; }
  double threshold() const { return threshold_; }
  double accept_share() const { return options_.accept_share; }
  // {"components", "combine", "centre", "scale", "threshold", "accept_share", "shrinkage", "classes",
  //  "sequences", "token_surprise"}
  json state() const;
  void write(torch::serialize::OutputArchive& archive) const;  // the Gaussians' tensors
  static OutOfDomainScorer load(const json& state, torch::serialize::InputArchive& archive, const std::string& what);

 private:
  json sequence_states() const;
  // Per row: the total surprise of its token inputs and their count.
  std::pair<torch::Tensor, torch::Tensor> surprise_and_tokens(const Sequences& sequences) const;
  // How the robust z-scores make the score: the largest, their sum (typicality exports of
  // 2026-12-04/05), or typicality's alone.
  enum class Combine { largest, sum, typicality };
  static const char* name_of(Combine c);
  // The score of raw component values, by combine_.
  torch::Tensor score_of(const torch::Tensor& raw) const;

  OutOfDomainOptions options_;
  std::vector<std::string> names_;
  torch::Tensor means_;      // [C, D]
  torch::Tensor precision_;  // [D, D]
  bool energy_ = false;
  Combine combine_ = Combine::largest;
  std::map<std::string, SequenceLikelihood> likelihoods_;  // by token input's batch key
  std::vector<double> centre_, scale_;
  double threshold_ = 0.0;
  double token_mean_ = 0.0, token_deviation_ = 1.0;  // of the per-token surprise, for typicality
};

}  // namespace adapt
