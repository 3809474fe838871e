// DriftReference: the samples a model keeps of its data, and the tests against new data.
#include "adapt/monitor/drift_reference.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "adapt/inspect/column_profile.h"
#include "adapt/inspect/split_drift.h"
#include "adapt/monitor/two_sample_tests.h"
#include "inspect/drift_by_test.h"

namespace adapt {
namespace {

// At most `limit` of `n` indices, seeded, in their original order.
std::vector<size_t> sample_indices(size_t n, size_t limit, uint64_t seed) {
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  if (n <= limit) return idx;
  std::mt19937_64 rng(seed);
  std::shuffle(idx.begin(), idx.end(), rng);
  idx.resize(limit);
  std::sort(idx.begin(), idx.end());
  return idx;
}

json test_entry(const std::string& name, const std::string& method, const TwoSampleResult& r, double threshold) {
  return {{"test", name}, {"method", method}, {"statistic", r.statistic}, {"p_value", r.p_value},
          {"threshold", threshold}, {"drift", r.p_value < threshold}};
}

}  // namespace

std::map<std::string, size_t> predicted_label_counts(const torch::Tensor& outputs,
                                                     const std::vector<std::string>& classes) {
  std::map<std::string, size_t> counts;
  if (classes.empty() || outputs.dim() != 2 || static_cast<size_t>(outputs.size(1)) != classes.size()) return counts;
  const torch::Tensor predicted = outputs.argmax(1).contiguous();
  const int64_t* p = predicted.data_ptr<int64_t>();
  for (int64_t i = 0; i < predicted.size(0); ++i) ++counts[classes[static_cast<size_t>(p[i])]];
  return counts;
}

void DriftReference::set_columns(const Records& records, const std::vector<size_t>& rows,
                                 const std::vector<std::string>& columns, uint64_t seed) {
  column_names_.clear(), kinds_.clear(), values_.clear();
  const auto picked = sample_indices(rows.size(), kColumnRows, seed);
  for (const auto& name : columns) {
    if (!records.has_column(name)) continue;
    const size_t c = records.column_index(name);
    const ColumnKind kind = profile_column(records, c, rows, "input").kind;
    if (kind != ColumnKind::numeric && kind != ColumnKind::categorical) continue;
    std::vector<std::string> values;
    values.reserve(picked.size());
    for (size_t i : picked) values.push_back(records.at(rows[i], c));
    column_names_.push_back(name);
    kinds_.push_back(to_string(kind));
    values_.push_back(std::move(values));
  }
}

void DriftReference::set_features(const torch::Tensor& features, uint64_t seed) {
  if (!features.defined() || features.dim() != 2 || features.size(0) < 2) return;
  const auto picked = sample_indices(static_cast<size_t>(features.size(0)), kFeatureRows, seed);
  std::vector<int64_t> idx(picked.begin(), picked.end());
  features_ = features.detach().to(torch::kCPU, torch::kFloat).index_select(0, torch::tensor(idx, torch::kLong));
}

json DriftReference::compare(const DriftSample& sample, const DriftOptions& o) const {
  const bool columns = sample.records && !column_names_.empty();
  const bool features = features_.defined() && sample.features.defined() && sample.features.size(0) >= 2;
  const bool ood = expected_ood_ >= 0 && ood_rows_ > 0 && sample.scored > 0;
  const bool labels = !labels_.empty() && !sample.labels.empty();
  if (columns)
    for (const auto& name : column_names_)
      if (!sample.records->has_column(name))
        throw DataError("drift: " + sample.records->source() + " has no column \"" + name +
                        "\", which the model reads; give data with the model's columns");
  // Bonferroni over every test that gives a p-value.
  const bool column_tests =
      columns && detail::drift_by_test(values_.front().size(), sample.records->size(), o.columns.small_sample);
  const size_t n_tests = (column_tests ? column_names_.size() : 0) + features + ood + labels;
  const double alpha = o.p_value / static_cast<double>(std::max<size_t>(n_tests, 1));
  json tests = json::array(), column_results = json::array(), findings = json::array();
  bool drift = false;
  if (columns) {
    InspectOptions co = o.columns;
    co.drift_p_value = alpha;
    for (size_t c = 0; c < column_names_.size(); ++c) {
      Records both({column_names_[c]}, "drift");
      for (const auto& v : values_[c]) both.add_row({v});
      const size_t col = sample.records->column_index(column_names_[c]);
      for (size_t r = 0; r < sample.records->size(); ++r) both.add_row({sample.records->at(r, col)});
      std::vector<size_t> ref(values_[c].size()), cur(sample.records->size());
      std::iota(ref.begin(), ref.end(), size_t{0});
      std::iota(cur.begin(), cur.end(), ref.size());
      json d = column_drift(both, 0, kinds_[c] == "numeric", ref, cur, co);
      d["column"] = column_names_[c];
      if (d["drift"].get<bool>()) {
        drift = true;
        findings.push_back(fmt::format("column \"{}\" drifted ({} {:.4g})", column_names_[c],
                                       d["method"].get<std::string>(), d["statistic"].get<double>()));
      }
      column_results.push_back(d);
    }
  }
  if (features) {
    const auto picked = sample_indices(static_cast<size_t>(sample.features.size(0)), o.max_rows, o.seed);
    const torch::Tensor cur = sample.features.index_select(
        0, torch::tensor(std::vector<int64_t>(picked.begin(), picked.end()), torch::kLong));
    // Enough permutations that the smallest p-value they can give lies below alpha.
    const int64_t permutations = std::max<int64_t>(o.permutations, static_cast<int64_t>(std::ceil(2.0 / alpha)));
    tests.push_back(test_entry("features", "mmd", mmd_test(features_, cur, permutations, o.seed), alpha));
  }
  if (ood) {
    // Two samples, since the reference share comes from a threshold fitted on a few hundred rows;
    // only more flags than there is drift.
    const auto ref_out = static_cast<size_t>(std::lround(expected_ood_ * static_cast<double>(ood_rows_)));
    TwoSampleResult r = chi_squared_two_sample({{"out", ref_out}, {"in", ood_rows_ - ref_out}},
                                               {{"out", sample.out_of_domain}, {"in", sample.scored - sample.out_of_domain}});
    const double share = static_cast<double>(sample.out_of_domain) / static_cast<double>(sample.scored);
    if (share <= expected_ood_) r.p_value = 1.0;
    tests.push_back(test_entry("out_of_domain_share", "chi_squared", r, alpha));
    tests.back()["share"] = share;
    tests.back()["expected"] = expected_ood_;
  }
  if (labels) tests.push_back(test_entry("predicted_labels", "chi_squared", chi_squared_two_sample(labels_, sample.labels), alpha));
  for (const auto& t : tests)
    if (t["drift"].get<bool>()) {
      drift = true;
      findings.push_back(fmt::format("{} drifted ({} {:.4g}, p = {:.3g} < {:.3g})", t["test"].get<std::string>(),
                                     t["method"].get<std::string>(), t["statistic"].get<double>(),
                                     t["p_value"].get<double>(), alpha));
    }
  json label_mix = {{"reference", labels_}, {"current", sample.labels}};
  return {{"drift", drift},       {"alpha", alpha},        {"tests", tests},       {"columns", column_results},
          {"findings", findings}, {"label_mix", label_mix}, {"rows", sample.records ? sample.records->size() : 0}};
}

json DriftReference::state() const {
  json columns = json::array();
  for (size_t c = 0; c < column_names_.size(); ++c)
    columns.push_back({{"name", column_names_[c]}, {"kind", kinds_[c]}, {"values", values_[c]}});
  return {{"columns", columns},
          {"features", features_.defined()},
          {"labels", labels_},
          {"expected_out_of_domain", expected_ood_},
          {"out_of_domain_rows", ood_rows_}};
}

void DriftReference::write(torch::serialize::OutputArchive& archive) const {
  if (features_.defined()) archive.write("drift_features", features_);
}

DriftReference DriftReference::load(const json& state, torch::serialize::InputArchive& archive, const std::string& what) {
  DriftReference r;
  try {
    for (const auto& c : state.at("columns")) {
      r.column_names_.push_back(c.at("name").get<std::string>());
      r.kinds_.push_back(c.at("kind").get<std::string>());
      r.values_.push_back(c.at("values").get<std::vector<std::string>>());
    }
    r.labels_ = state.at("labels").get<std::map<std::string, size_t>>();
    r.expected_ood_ = state.at("expected_out_of_domain").get<double>();
    r.ood_rows_ = state.at("out_of_domain_rows").get<size_t>();
    if (state.at("features").get<bool>()) archive.read("drift_features", r.features_);
  } catch (const json::exception& e) {
    throw Error(what + " is damaged: its drift reference does not read (" + std::string(e.what()) + ")");
  }
  return r;
}

}  // namespace adapt
