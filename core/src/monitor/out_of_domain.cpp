// OutOfDomainScorer: class-conditional Gaussians with a shared, shrunk covariance on the pooled
// features, the energy of the logits and the token inputs' typicality; see out_of_domain.h.
#include "adapt/monitor/out_of_domain.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace adapt {
namespace {

// The typicality test per row, (T - mu n) / (sigma sqrt n), from its total surprise T over n tokens
// (0 for a row without tokens).
torch::Tensor typicality_of(const torch::Tensor& surprise, const torch::Tensor& tokens, double mean, double deviation) {
  const double *t = surprise.data_ptr<double>(), *n = tokens.data_ptr<double>();
  torch::Tensor typicality = torch::zeros({surprise.size(0)}, torch::kDouble);
  double* o = typicality.data_ptr<double>();
  for (int64_t i = 0; i < surprise.size(0); ++i)
    if (n[i] > 0) o[i] = (t[i] - mean * n[i]) / (deviation * std::sqrt(n[i]));
  return typicality;
}

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

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const TokenSequences& token_input(const OutOfDomainScorer::Sequences& sequences, const std::string& key) {
  const auto it = sequences.find(key);
  if (it == sequences.end()) throw Error("out-of-domain: expected the token ids of input \"" + key + "\"");
  return it->second;
}

torch::Tensor as_double(const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kDouble).contiguous(); }

double dot(const double* a, const double* b, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// The loops below stand in for a dozen ATen operators: at serving's batches of a few rows those cost
// more than the arithmetic (UCI Adult at concurrency 8: as much as the network itself). NaN propagates
// as ATen's min, max and logsumexp propagate it.

// Each row's squared distance to its nearest class mean under the shared precision P:
// z'Pz - 2 z'P mu_c + mu_c'P mu_c, the least over c. The rows and the means meet P in one product
// (for a few rows, packing P into the GEMM's blocks costs more than the arithmetic).
torch::Tensor nearest_class_distance(const torch::Tensor& z, const torch::Tensor& means, const torch::Tensor& precision) {
  const int64_t n = z.size(0), k = means.size(0), d = z.size(1);
  const torch::Tensor m = means.contiguous(), both = torch::cat({z, m}).mm(precision).contiguous();
  const double *zp = both.data_ptr<double>(), *mp = zp + n * d;
  const double *zv = z.data_ptr<double>(), *mv = m.data_ptr<double>();
  std::vector<double> mpm(static_cast<size_t>(k));
  for (int64_t c = 0; c < k; ++c) mpm[static_cast<size_t>(c)] = dot(mp + c * d, mv + c * d, d);
  torch::Tensor out = torch::empty({n}, torch::kDouble);
  double* o = out.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    const double quad = dot(zp + i * d, zv + i * d, d);
    double best = std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < k && !std::isnan(best); ++c) {
      const double v = quad - 2.0 * dot(zp + i * d, mv + c * d, d) + mpm[static_cast<size_t>(c)];
      if (v < best || std::isnan(v)) best = v;
    }
    o[i] = best;
  }
  return out;
}

// The energy of each row of [N, C] logits: -logsumexp.
torch::Tensor energy_of(const torch::Tensor& logits) {
  const int64_t n = logits.size(0), c = logits.size(1);
  const double* x = logits.data_ptr<double>();
  torch::Tensor out = torch::empty({n}, torch::kDouble);
  double* o = out.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    const double* row = x + i * c;
    double top = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < c && !std::isnan(top); ++j)
      if (row[j] > top || std::isnan(row[j])) top = row[j];
    if (!std::isfinite(top)) {  // NaN, or every logit -inf (or one +inf): logsumexp is that value
      o[i] = -top;
      continue;
    }
    double sum = 0.0;
    for (int64_t j = 0; j < c; ++j) sum += std::exp(row[j] - top);
    o[i] = -(top + std::log(sum));
  }
  return out;
}

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
  if (!s.likelihoods_.empty()) {
    s.names_.push_back("typicality");
    s.combine_ = Combine::typicality;  // chosen on three validation sources (docs/monitoring.md, round 12)
  }
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
    columns.push_back(nearest_class_distance(as_double(features), means_, precision_));
  }
  if (energy_) {
    if (!logits.defined() || logits.dim() != 2) throw Error("out-of-domain: expected class logits [N, C]");
    columns.push_back(energy_of(as_double(logits)));
  }
  if (uses_sequences()) {
    const auto [surprise, tokens] = surprise_and_tokens(sequences);
    // An export from before typicality holds the total surprise.
    columns.push_back(has(names_, "likelihood") ? surprise : typicality_of(surprise, tokens, token_mean_, token_deviation_));
  }
  if (columns.size() == 1) return columns[0].unsqueeze(1);
  return torch::stack(columns, 1);
}

std::pair<torch::Tensor, torch::Tensor> OutOfDomainScorer::surprise_and_tokens(const Sequences& sequences) const {
  torch::Tensor surprise, tokens;
  for (const auto& [key, model] : likelihoods_) {
    const TokenSequences& in = token_input(sequences, key);
    const torch::Tensor nll = model.nll(in.ids, in.lengths);
    const torch::Tensor n = in.lengths.to(torch::kDouble).clamp_max(static_cast<double>(in.ids.size(1)));
    surprise = surprise.defined() ? surprise + nll : nll;
    tokens = tokens.defined() ? tokens + n : n;
  }
  return {surprise.contiguous(), tokens.contiguous()};
}

torch::Tensor OutOfDomainScorer::calibrate(const torch::Tensor& features, const torch::Tensor& logits,
                                           const Sequences& sequences) {
  if (uses_sequences() && !has(names_, "likelihood")) {  // the per-token surprise of these rows' tokens
    double sum = 0.0, sum_sq = 0.0, count = 0.0;
    for (const auto& [key, model] : likelihoods_) {
      const TokenSequences& in = token_input(sequences, key);
      const torch::Tensor per_token = model.token_nll(in.ids, in.lengths);
      const torch::Tensor lengths = in.lengths.to(torch::kLong).contiguous();
      for (int64_t r = 0; r < per_token.size(0); ++r) {
        const double* row = per_token.data_ptr<double>() + r * per_token.size(1);
        for (int64_t i = 0; i < std::min(lengths.data_ptr<int64_t>()[r], per_token.size(1)); ++i)
          sum += row[i], sum_sq += row[i] * row[i], count += 1.0;
      }
    }
    if (count > 0) {
      token_mean_ = sum / count;
      const double variance = sum_sq / count - token_mean_ * token_mean_;
      token_deviation_ = variance > 1e-12 ? std::sqrt(variance) : 1.0;
    }
  }
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
  if (combine_ == Combine::typicality) {  // the other components do not count: not computed per prediction
    const auto at = static_cast<size_t>(std::find(names_.begin(), names_.end(), "typicality") - names_.begin());
    const auto [surprise, tokens] = surprise_and_tokens(sequences);
    return (typicality_of(surprise, tokens, token_mean_, token_deviation_) - centre_[at]) / scale_[at];
  }
  return score_of(components(features, logits, sequences));
}

const char* OutOfDomainScorer::name_of(Combine c) {
  switch (c) {
    case Combine::sum: return "sum";
    case Combine::typicality: return "typicality";
    default: return "largest";
  }
}

torch::Tensor OutOfDomainScorer::score_of(const torch::Tensor& raw) const {
  const torch::Tensor values = raw.to(torch::kDouble).contiguous();
  const int64_t n = values.size(0), k = values.size(1);
  const double* x = values.data_ptr<double>();
  torch::Tensor out = torch::empty({n}, torch::kDouble);
  double* o = out.data_ptr<double>();
  const int64_t alone = std::find(names_.begin(), names_.end(), "typicality") - names_.begin();
  for (int64_t i = 0; i < n; ++i) {  // robust z-scores (loops: see nearest_class_distance)
    double sum = 0.0, best = -std::numeric_limits<double>::infinity(), chosen = 0.0;
    for (int64_t j = 0; j < k; ++j) {
      const double z = (x[i * k + j] - centre_[static_cast<size_t>(j)]) / scale_[static_cast<size_t>(j)];
      sum += z;
      best = std::isnan(z) || z > best ? z : best;  // once NaN, nothing is larger: NaN stays
      if (j == alone) chosen = z;
    }
    o[i] = combine_ == Combine::typicality ? chosen : combine_ == Combine::sum ? sum : best;
  }
  return out;
}

json OutOfDomainScorer::sequence_states() const {
  json out = json::object();
  for (const auto& [key, model] : likelihoods_) out[key] = model.state();
  return out;
}

json OutOfDomainScorer::state() const {
  json out = {{"components", names_},
              {"combine", name_of(combine_)},
              {"centre", centre_},
              {"scale", scale_},
              {"threshold", threshold_},
              {"accept_share", options_.accept_share},
              {"shrinkage", options_.shrinkage},
              {"classes", means_.defined() ? means_.size(0) : 0},
              {"sequences", sequence_states()}};
  if (has(names_, "typicality")) out["token_surprise"] = {{"mean", token_mean_}, {"deviation", token_deviation_}};
  return out;
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
    const std::string combine = state.value("combine", "largest");  // exports before typicality: largest
    // With typicality: its z-score alone, or (written before that) the sum; without it, the largest.
    const bool typical = has(s.names_, "typicality");
    if (typical && combine == "typicality") s.combine_ = Combine::typicality;
    else if (typical && combine == "sum") s.combine_ = Combine::sum;
    else if (!typical && combine == "largest") s.combine_ = Combine::largest;
    else
      throw Error(what + " is damaged: its out-of-domain combine is \"" + combine + "\", which its components (" +
                  state.at("components").dump() + ") cannot have (" + (typical ? "typicality or sum" : "largest") +
                  "); restore it from a good copy or retrain");
    if (has(s.names_, "typicality")) {
      s.token_mean_ = state.at("token_surprise").at("mean").get<double>();
      s.token_deviation_ = state.at("token_surprise").at("deviation").get<double>();
    }
  } catch (const json::exception& e) {
    throw Error(what + " is damaged: its out-of-domain description does not read (" + std::string(e.what()) + ")");
  }
  s.energy_ = has(s.names_, "energy");
  if (has(s.names_, "mahalanobis")) {
    archive.read("ood_means", s.means_);
    archive.read("ood_precision", s.precision_);
    s.means_ = s.means_.to(torch::kDouble);
    s.precision_ = s.precision_.to(torch::kDouble);
  }
  if (has(s.names_, "likelihood") || has(s.names_, "typicality")) {
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
