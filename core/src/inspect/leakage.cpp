// Single-column leakage (docs/inspect.md, "Too good to be true").
#include "adapt/inspect/leakage.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <unordered_map>

#include "adapt/inspect/column_profile.h"

namespace adapt {
namespace {

constexpr size_t kMaxConcordanceRows = 2000;  // scored rows of a regression target (a seeded sample above)

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

// The numeric target of each row, NaN where it does not read as a number.
std::vector<double> numeric_target(const InspectInput& in) {
  const auto& column = in.records.column(in.target);
  std::vector<double> y(column.size(), std::nan(""));
  for (size_t r = 0; r < column.size(); ++r)
    if (auto v = parse_number(column[r])) y[r] = *v;
  return y;
}

// Harrell's concordance index of `prediction` against `truth`: the share of pairs with different
// truths that the prediction orders the same way (ties in the prediction count half). For a 0/1
// truth it is the AUROC, so one threshold serves both.
double concordance(const std::vector<double>& prediction, const std::vector<double>& truth) {
  double agree = 0.0, pairs = 0.0;
  for (size_t i = 0; i < truth.size(); ++i)
    for (size_t j = i + 1; j < truth.size(); ++j) {
      if (truth[i] == truth[j]) continue;
      const double d = (truth[i] - truth[j]) * (prediction[i] - prediction[j]);
      agree += d > 0 ? 1.0 : d == 0 ? 0.5 : 0.0;
      pairs += 1.0;
    }
  return pairs > 0 ? agree / pairs : 0.5;
}

// A regression target's one-feature model: the mean target of each value (or quantile bin) on the
// fitted rows, smoothed towards the overall mean by one row; scored by concordance on `score`.
double column_concordance(const InspectInput& in, size_t column, bool numeric, const std::vector<size_t>& fit,
                          const std::vector<size_t>& score, const std::vector<double>& y) {
  const Keyer keyer(in.records, column, fit, numeric);
  std::unordered_map<std::string, std::pair<double, double>> sums;  // key -> (sum, count)
  double total = 0.0, n = 0.0;
  for (size_t r : fit) {
    if (std::isnan(y[r])) continue;
    auto& s = sums[keyer.key(in.records.at(r, column))];
    s.first += y[r], s.second += 1.0, total += y[r], n += 1.0;
  }
  const double mean = n > 0 ? total / n : 0.0;
  std::vector<double> prediction, truth;
  for (size_t r : score) {
    if (std::isnan(y[r])) continue;
    auto it = sums.find(keyer.key(in.records.at(r, column)));
    prediction.push_back(it == sums.end() ? mean : (it->second.first + mean) / (it->second.second + 1.0));
    truth.push_back(y[r]);
  }
  return concordance(prediction, truth);
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
  // Classification: AUROC; a numeric regression target: the concordance index (the AUROC of 0/1).
  const bool regression = !in.single_label && in.classes.empty() && !in.target.empty();
  const std::vector<double> y = regression ? numeric_target(in) : std::vector<double>();
  const bool numeric_y =
      regression && std::count_if(y.begin(), y.end(), [](double v) { return !std::isnan(v); }) * 2 >
                        static_cast<std::ptrdiff_t>(y.size());
  if (!(in.single_label && !in.target.empty()) && !numeric_y) {
    report.note("single_column_leakage", "single-column leakage: checked for single-label classification and "
                                         "numeric regression targets only; this target is neither");
    return;
  }
  std::unordered_map<std::string, size_t> class_of;
  for (size_t j = 0; j < in.classes.size(); ++j) class_of[in.classes[j]] = j;
  auto [fit, score] = fit_and_score_rows(in, o.seed);
  if (fit.empty() || score.size() < 10) {
    report.note("single_column_leakage", "single-column leakage: too few rows to score a one-feature model");
    return;
  }
  if (numeric_y && score.size() > kMaxConcordanceRows) {  // the concordance compares every pair
    std::mt19937_64 engine(o.seed);
    std::shuffle(score.begin(), score.end(), engine);
    score.resize(kMaxConcordanceRows);
  }
  const std::string measure = numeric_y ? "concordance" : "auroc";
  json results = json::array();
  for (const auto& column : in.inputs) {
    const size_t index = in.records.column_index(column);
    const ColumnKind kind = profile_column(in.records, index, fit, "input").kind;
    const bool numeric = kind == ColumnKind::numeric;
    const double a = numeric_y ? column_concordance(in, index, numeric, fit, score, y)
                               : column_auroc(in, index, numeric, fit, score, class_of);
    results.push_back({{"column", column}, {"kind", to_string(kind)}, {"auroc", a}, {"measure", measure}});
    if (a >= o.leakage_auroc) {
      char value[16];
      std::snprintf(value, sizeof value, "%.3f", a);
      report.warn("single_column_leakage",
                  "too good to be true: \"" + column + "\" alone predicts \"" + in.target + "\" with " +
                      (in.split.valid.empty() ? "held-out" : "validation") + " " +
                      (numeric_y ? "concordance index " : "AUROC ") + value +
                      " (a one-feature model fitted on the training rows); if it copies the label or is known only "
                      "after it, it leaks: drop it from the inputs");
    }
  }
  std::sort(results.begin(), results.end(),
            [](const json& a, const json& b) { return a["auroc"].get<double>() > b["auroc"].get<double>(); });
  report.sections["leakage"] = results;
}

}  // namespace adapt
