// Single-column leakage (docs/inspect.md, "Too good to be true").
#include "adapt/inspect/leakage.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <unordered_map>

#include "adapt/inspect/column_profile.h"

namespace adapt {
namespace {

// The one-feature model's key for a value: a quantile bin of numbers ("#3"), else the value itself.
class Keyer {
 public:
  Keyer(const Records& records, size_t column, const std::vector<size_t>& fit_rows, bool numeric) : numeric_(numeric) {
    if (!numeric) return;
    std::vector<double> v;
    for (size_t r : fit_rows)
      if (auto x = parse_number(records.at(r, column))) v.push_back(*x);
    std::sort(v.begin(), v.end());
    const size_t bins = 32;
    for (size_t b = 1; b < bins && !v.empty(); ++b) {
      const double edge = v[b * (v.size() - 1) / bins];
      if (edges_.empty() || edge > edges_.back()) edges_.push_back(edge);
    }
  }
  std::string key(const std::string& value) const {
    if (!numeric_) return value;
    auto x = parse_number(value);
    if (!x) return is_missing_value(value) ? std::string("missing") : value;
    return "#" + std::to_string(std::upper_bound(edges_.begin(), edges_.end(), *x) - edges_.begin());
  }

 private:
  bool numeric_;
  std::vector<double> edges_;
};

// Validation rows and the rows the one-feature models are fitted on.
std::pair<std::vector<size_t>, std::vector<size_t>> fit_and_score_rows(const InspectInput& in, uint64_t seed) {
  if (!in.split.valid.empty()) return {in.split.train, in.split.valid};
  std::vector<size_t> rows(in.split.train);
  std::mt19937_64 engine(seed);
  std::shuffle(rows.begin(), rows.end(), engine);
  const size_t held = rows.size() / 5;
  std::vector<size_t> score(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(held));
  return {std::vector<size_t>(rows.begin() + static_cast<std::ptrdiff_t>(held), rows.end()), score};
}

// Macro one-vs-rest AUROC of the column's one-feature model (binary: the positive class's AUROC).
double column_auroc(const InspectInput& in, size_t column, bool numeric, const std::vector<size_t>& fit,
                    const std::vector<size_t>& score, const std::unordered_map<std::string, size_t>& class_of) {
  const size_t k = in.classes.size();
  const auto& target = in.records.column(in.target);
  const Keyer keyer(in.records, column, fit, numeric);
  std::unordered_map<std::string, std::vector<double>> counts;
  std::vector<double> prior(k, 1.0);
  for (size_t r : fit) {
    auto c = class_of.find(target[r]);
    if (c == class_of.end()) continue;
    auto& row = counts[keyer.key(in.records.at(r, column))];
    if (row.empty()) row.assign(k, 0.0);
    row[c->second] += 1.0;
    prior[c->second] += 1.0;
  }
  const double prior_total = std::accumulate(prior.begin(), prior.end(), 0.0);
  std::vector<std::vector<double>> probability;  // per scored row, smoothed towards the prior
  std::vector<size_t> label;
  for (size_t r : score) {
    auto c = class_of.find(target[r]);
    if (c == class_of.end()) continue;
    auto it = counts.find(keyer.key(in.records.at(r, column)));
    std::vector<double> p(k);
    const double n = it == counts.end() ? 0.0 : std::accumulate(it->second.begin(), it->second.end(), 0.0);
    for (size_t j = 0; j < k; ++j)
      p[j] = ((it == counts.end() ? 0.0 : it->second[j]) + prior[j] / prior_total) / (n + 1.0);
    probability.push_back(std::move(p));
    label.push_back(c->second);
  }
  const size_t classes_scored = k == 2 ? 1 : k;
  double sum = 0.0;
  size_t used = 0;
  for (size_t j = k == 2 ? 1 : 0; j < k && used < classes_scored; ++j) {
    std::vector<double> s;
    std::vector<bool> positive;
    for (size_t i = 0; i < label.size(); ++i) {
      s.push_back(probability[i][j]);
      positive.push_back(label[i] == j);
    }
    const size_t n_pos = static_cast<size_t>(std::count(positive.begin(), positive.end(), true));
    if (n_pos == 0 || n_pos == positive.size()) continue;
    sum += auroc(s, positive);
    ++used;
  }
  return used ? sum / static_cast<double>(used) : 0.5;
}

}  // namespace

double auroc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0.0, n_pos = 0.0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double mid_rank = 0.5 * static_cast<double>(i + j + 1);  // ranks are 1-based
    for (size_t t = i; t < j; ++t)
      if (positive[order[t]]) rank_sum += mid_rank, n_pos += 1.0;
    i = j;
  }
  const double n_neg = static_cast<double>(scores.size()) - n_pos;
  if (n_pos == 0 || n_neg == 0) return 0.5;
  return (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg);
}

void check_single_column_leakage(const InspectInput& in, const InspectOptions& o, InspectReport& report) {
  if (!in.single_label || in.target.empty()) {
    report.note("single_column_leakage", "single-column leakage: checked for single-label classification targets "
                                         "only; this target is not one");
    return;
  }
  std::unordered_map<std::string, size_t> class_of;
  for (size_t j = 0; j < in.classes.size(); ++j) class_of[in.classes[j]] = j;
  const auto [fit, score] = fit_and_score_rows(in, o.seed);
  if (fit.empty() || score.size() < 10) {
    report.note("single_column_leakage", "single-column leakage: too few rows to score a one-feature model");
    return;
  }
  json results = json::array();
  for (const auto& column : in.inputs) {
    const size_t index = in.records.column_index(column);
    const ColumnKind kind = profile_column(in.records, index, fit, "input").kind;
    const double a = column_auroc(in, index, kind == ColumnKind::numeric, fit, score, class_of);
    results.push_back({{"column", column}, {"kind", to_string(kind)}, {"auroc", a}});
    if (a >= o.leakage_auroc) {
      char value[16];
      std::snprintf(value, sizeof value, "%.3f", a);
      report.warn("single_column_leakage",
                  "too good to be true: \"" + column + "\" alone predicts \"" + in.target + "\" with " +
                      (in.split.valid.empty() ? "held-out" : "validation") + " AUROC " + value +
                      " (a one-feature model fitted on the training rows); if it copies the label or is known only "
                      "after it, it leaks: drop it from the inputs");
    }
  }
  std::sort(results.begin(), results.end(),
            [](const json& a, const json& b) { return a["auroc"].get<double>() > b["auroc"].get<double>(); });
  report.sections["leakage"] = results;
}

}  // namespace adapt
