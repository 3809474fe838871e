#pragma once
// Out-of-domain scores: how unlike the training data an input looks to the model. Two components,
// each read from what the model computes anyway:
//   mahalanobis  the squared Mahalanobis distance of the pooled features (Model::embed) to the
//                nearest class mean, under one covariance shared by the classes (Lee et al. 2018);
//                one Gaussian for targets without classes;
//   energy       -logsumexp of a classifier's logits (Liu et al. 2020): low for inputs the model
//                is confident about, of whatever class.
// Each component is centred and scaled by its median and interquartile range on in-domain rows the
// model did not train on (validation), and the score is the larger of them, so an input that either
// one finds unusual scores high. The threshold accepts `accept_share` of those rows.
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <string>
#include <vector>

#include "adapt/common/error.h"
#include "adapt/common/options.h"

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
  // `features` [N, D] of training rows (undefined: no mahalanobis component); `classes` [N] int64
  // class ids in [0, n_classes) or undefined (one Gaussian); `energy`: whether logits are a
  // classifier's (softmax) and give the energy component.
  static OutOfDomainScorer fit(const torch::Tensor& features, const torch::Tensor& classes, int64_t n_classes,
                               bool energy, const OutOfDomainOptions& options = {});
  // Sets each component's centre and scale and the threshold from in-domain rows not trained on.
  void calibrate(const torch::Tensor& features, const torch::Tensor& logits);
  // [N], higher is more unusual; `features` or `logits` may be undefined when the scorer lacks
  // that component.
  torch::Tensor score(const torch::Tensor& features, const torch::Tensor& logits) const;
  // Each component's raw value [N, n_components] (before centring), in components() order.
  torch::Tensor components(const torch::Tensor& features, const torch::Tensor& logits) const;

  bool empty() const { return names_.empty(); }
  bool uses_features() const { return means_.defined(); }
  bool uses_logits() const { return energy_; }
  const std::vector<std::string>& component_names() const { return names_; }
  double threshold() const { return threshold_; }
  double accept_share() const { return options_.accept_share; }
  // {"components", "centre", "scale", "threshold", "accept_share", "shrinkage", "classes"}
  json state() const;
  void write(torch::serialize::OutputArchive& archive) const;  // the Gaussians' tensors
  static OutOfDomainScorer load(const json& state, torch::serialize::InputArchive& archive, const std::string& what);

 private:
  OutOfDomainOptions options_;
  std::vector<std::string> names_;
  torch::Tensor means_;      // [C, D]
  torch::Tensor precision_;  // [D, D]
  bool energy_ = false;
  std::vector<double> centre_, scale_;
  double threshold_ = 0.0;
  bool calibrated_ = false;
};

}  // namespace adapt
