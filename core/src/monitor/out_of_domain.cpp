// OutOfDomainScorer: class-conditional Gaussians with a shared, shrunk covariance on the pooled
// features, the energy of the logits and the token inputs' likelihood; see out_of_domain.h.
#include "adapt/monitor/out_of_domain.h"

#include <algorithm>
#include <cmath>

namespace adapt {
namespace {

// The q-quantile of a 1-d tensor (linear interpolation, as numpy's default).
double value_at_quantile(const torch::Tensor& values, double q) {
  const torch::Tensor sorted = std::get<0>(values.to(torch::kDouble).flatten().sort());
  const int64_t n = sorted.size(0);
  if (n == 0) throw Error("out-of-domain: no rows to calibrate on");
  const double pos = q * static_cast<double>(n - 1);
  const auto lo = static_cast<int64_t>(std::floor(pos));
  const int64_t hi = std::min(lo + 1, n - 1);
  const double a = sorted[lo].item<double>(), b = sorted[hi].item<double>();
  return a + (b - a) * (pos - static_cast<double>(lo));
}

torch::Tensor as_double(const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kDouble); }

}  // namespace

OutOfDomainScorer OutOfDomainScorer::fit(const torch::Tensor& features, const torch::Tensor& classes,
                                         int64_t n_classes, bool energy, const OutOfDomainOptions& options,
                                         const Sequences& sequences) {
  if (!(options.accept_share > 0.0 && options.accept_share < 1.0))
    throw OptionError("out-of-domain: accept_share must lie in (0, 1), got " + std::to_string(options.accept_share));
  if (!(options.shrinkage >= 0.0 && options.shrinkage <= 1.0))
    throw OptionError("out-of-domain: shrinkage must lie in [0, 1], got " + std::to_string(options.shrinkage));
  OutOfDomainScorer s;
  s.options_ = options;
  s.energy_ = energy;
  if (features.defined() && features.dim() == 2 && features.size(0) > 1) {
    const torch::Tensor x = as_double(features);
    const int64_t n = x.size(0), d = x.size(1);
    const bool by_class = classes.defined() && n_classes > 1;
    const torch::Tensor c = by_class ? classes.to(torch::kCPU, torch::kLong).flatten() : torch::zeros({n}, torch::kLong);
    const int64_t k = by_class ? n_classes : 1;
    torch::Tensor sums = torch::zeros({k, d}, torch::kDouble).index_add_(0, c, x);
    torch::Tensor counts = torch::zeros({k}, torch::kDouble).index_add_(0, c, torch::ones({n}, torch::kDouble));
    // A class absent from the rows keeps the overall mean, so it never becomes the nearest by accident.
    const torch::Tensor overall = x.mean(0);
    torch::Tensor means = sums / counts.clamp_min(1).unsqueeze(1);
    means = torch::where((counts > 0).unsqueeze(1), means, overall.unsqueeze(0).expand({k, d}));
    const torch::Tensor centred = x - means.index_select(0, c);
    torch::Tensor cov = centred.t().mm(centred) / static_cast<double>(std::max<int64_t>(n - 1, 1));
    const double mean_var = std::max(cov.diagonal().mean().item<double>(), 1e-12);
    cov = (1.0 - options.shrinkage) * cov +
          options.shrinkage * mean_var * torch::eye(d, torch::kDouble) + 1e-9 * mean_var * torch::eye(d, torch::kDouble);
    // Rounded to float as the export stores them, so scores at training and after loading agree.
    s.means_ = means.to(torch::kFloat).to(torch::kDouble);
    s.precision_ = torch::linalg_inv(cov).to(torch::kFloat).to(torch::kDouble);
    s.names_.push_back("mahalanobis");
  }
  if (energy) s.names_.push_back("energy");
  for (const auto& [key, seq] : sequences) s.likelihoods_[key] = SequenceLikelihood::fit(seq.ids, seq.lengths);
  if (!s.likelihoods_.empty()) s.names_.push_back("likelihood");
  if (s.names_.empty())
    throw Error("out-of-domain: the model gives neither pooled features, class logits nor token inputs to score");
  s.centre_.assign(s.names_.size(), 0.0);
  s.scale_.assign(s.names_.size(), 1.0);
  return s;
}

torch::Tensor OutOfDomainScorer::components(const torch::Tensor& features, const torch::Tensor& logits,
                                            const Sequences& sequences) const {
  std::vector<torch::Tensor> columns;
  if (uses_features()) {
    if (!features.defined() || features.dim() != 2 || features.size(1) != means_.size(1))
      throw Error("out-of-domain: expected pooled features of width " + std::to_string(means_.size(1)));
    const torch::Tensor z = as_double(features);
    // The rows and the class means meet the precision matrix in one product: for a few rows,
    // copying the matrix into the GEMM's blocks costs more than the arithmetic.
    const torch::Tensor both = torch::cat({z, means_}).mm(precision_);
    const torch::Tensor zp = both.narrow(0, 0, z.size(0)), mp = both.narrow(0, z.size(0), means_.size(0));
    const torch::Tensor quad = (zp * z).sum(1, true);               // z'Pz
    const torch::Tensor cross = zp.mm(means_.t());                  // z'P mu_c
    const torch::Tensor mpm = (mp * means_).sum(1).unsqueeze(0);    // mu_c'P mu_c
    columns.push_back(std::get<0>((quad - 2.0 * cross + mpm).min(1)));
  }
  if (energy_) {
    if (!logits.defined() || logits.dim() != 2) throw Error("out-of-domain: expected class logits [N, C]");
    columns.push_back(-torch::logsumexp(as_double(logits), 1));
  }
  if (uses_sequences()) {
    torch::Tensor total;
    for (const auto& [key, model] : likelihoods_) {
      const auto it = sequences.find(key);
      if (it == sequences.end()) throw Error("out-of-domain: expected the token ids of input \"" + key + "\"");
      const torch::Tensor nll = model.nll(it->second.ids, it->second.lengths);
      total = total.defined() ? total + nll : nll;
    }
    columns.push_back(total);
  }
  return torch::stack(columns, 1);
}

torch::Tensor OutOfDomainScorer::calibrate(const torch::Tensor& features, const torch::Tensor& logits,
                                           const Sequences& sequences) {
  const torch::Tensor raw = components(features, logits, sequences);
  for (size_t i = 0; i < names_.size(); ++i) {
    const torch::Tensor column = raw.select(1, static_cast<int64_t>(i));
    centre_[i] = value_at_quantile(column, 0.5);
    const double iqr = value_at_quantile(column, 0.75) - value_at_quantile(column, 0.25);
    scale_[i] = iqr > 1e-12 ? iqr : 1.0;
  }
  const torch::Tensor scores = score_of(raw);
  threshold_ = value_at_quantile(scores, options_.accept_share);
  return scores;
}

torch::Tensor OutOfDomainScorer::score(const torch::Tensor& features, const torch::Tensor& logits,
                                       const Sequences& sequences) const {
  return score_of(components(features, logits, sequences));
}

torch::Tensor OutOfDomainScorer::score_of(const torch::Tensor& raw) const {
  const auto k = static_cast<int64_t>(names_.size());
  const torch::Tensor centre = torch::tensor(centre_, torch::kDouble).view({1, k});
  const torch::Tensor scale = torch::tensor(scale_, torch::kDouble).view({1, k});
  return std::get<0>(((raw - centre) / scale).max(1));
}

json OutOfDomainScorer::sequence_states() const {
  json out = json::object();
  for (const auto& [key, model] : likelihoods_) out[key] = model.state();
  return out;
}

json OutOfDomainScorer::state() const {
  return {{"components", names_},
          {"centre", centre_},
          {"scale", scale_},
          {"threshold", threshold_},
          {"accept_share", options_.accept_share},
          {"shrinkage", options_.shrinkage},
          {"classes", means_.defined() ? means_.size(0) : 0},
          {"sequences", sequence_states()}};
}

void OutOfDomainScorer::write(torch::serialize::OutputArchive& archive) const {
  if (means_.defined()) {
    archive.write("ood_means", means_.to(torch::kFloat));
    archive.write("ood_precision", precision_.to(torch::kFloat));
  }
  for (const auto& [key, model] : likelihoods_) model.write(archive, "ood_sequence_" + key);
}

OutOfDomainScorer OutOfDomainScorer::load(const json& state, torch::serialize::InputArchive& archive,
                                          const std::string& what) {
  OutOfDomainScorer s;
  try {
    s.names_ = state.at("components").get<std::vector<std::string>>();
    s.centre_ = state.at("centre").get<std::vector<double>>();
    s.scale_ = state.at("scale").get<std::vector<double>>();
    s.threshold_ = state.at("threshold").get<double>();
    s.options_.accept_share = state.at("accept_share").get<double>();
    s.options_.shrinkage = state.at("shrinkage").get<double>();
  } catch (const json::exception& e) {
    throw Error(what + " is damaged: its out-of-domain description does not read (" + std::string(e.what()) + ")");
  }
  s.energy_ = std::find(s.names_.begin(), s.names_.end(), "energy") != s.names_.end();
  if (std::find(s.names_.begin(), s.names_.end(), "mahalanobis") != s.names_.end()) {
    archive.read("ood_means", s.means_);
    archive.read("ood_precision", s.precision_);
    s.means_ = s.means_.to(torch::kDouble);
    s.precision_ = s.precision_.to(torch::kDouble);
  }
  if (std::find(s.names_.begin(), s.names_.end(), "likelihood") != s.names_.end()) {
    try {
      for (const auto& [key, model] : state.at("sequences").items())
        s.likelihoods_[key] = SequenceLikelihood::load(model, archive, "ood_sequence_" + key);
    } catch (const json::exception& e) {
      throw Error(what + " is damaged: its token likelihood does not read (" + std::string(e.what()) + ")");
    }
  }
  if (s.centre_.size() != s.names_.size() || s.scale_.size() != s.names_.size())
    throw Error(what + " is damaged: its out-of-domain description has " + std::to_string(s.names_.size()) +
                " components but " + std::to_string(s.centre_.size()) + " centres");
  return s;
}

}  // namespace adapt
