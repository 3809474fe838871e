// Confident learning over out-of-fold baseline probabilities (docs/inspect.md, "Label issues").
#include "adapt/inspect/label_issues.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "adapt/baseline/core_baselines.h"
#include "adapt/baseline/out_of_fold.h"

namespace adapt {
namespace {

// The confident joint [K, K] calibrated so each row sums to that given label's count (cleanlab's
// calibrate_confident_joint), rounded to whole rows. `p` is [n, K] double, `y` the given labels.
std::vector<std::vector<int64_t>> calibrated_joint(const torch::Tensor& p, const std::vector<size_t>& y, size_t k) {
  const auto n = static_cast<size_t>(p.size(0));
  const double* prob = p.data_ptr<double>();
  auto at = [&](size_t row, size_t j) { return prob[row * k + j]; };
  // Per-class threshold: the mean probability of class j over the rows labelled j.
  std::vector<double> threshold(k, 0.0), count(k, 0.0);
  for (size_t i = 0; i < n; ++i) {
    threshold[y[i]] += at(i, y[i]);
    count[y[i]] += 1.0;
  }
  for (size_t j = 0; j < k; ++j) threshold[j] = count[j] > 0 ? threshold[j] / count[j] : 1.0;
  std::vector<std::vector<double>> joint(k, std::vector<double>(k, 0.0));
  for (size_t i = 0; i < n; ++i) {
    // The most probable class among those at or above their threshold ("confidently" that class).
    size_t best = k;
    double best_p = -1.0;
    for (size_t j = 0; j < k; ++j)
      if (at(i, j) >= threshold[j] - 1e-6 && at(i, j) > best_p) best = j, best_p = at(i, j);
    if (best < k) joint[y[i]][best] += 1.0;
  }
  std::vector<std::vector<int64_t>> out(k, std::vector<int64_t>(k, 0));
  for (size_t i = 0; i < k; ++i) {
    double row = 0.0;
    for (double v : joint[i]) row += v;
    for (size_t j = 0; j < k && row > 0; ++j) out[i][j] = std::llround(joint[i][j] / row * count[i]);
  }
  return out;
}

}  // namespace

std::vector<LabelIssue> find_label_issues(const torch::Tensor& probabilities, const torch::Tensor& labels) {
  const torch::Tensor p = probabilities.to(torch::kDouble).contiguous();
  const auto n = static_cast<size_t>(p.size(0)), k = static_cast<size_t>(p.size(1));
  const torch::Tensor yt = labels.reshape({-1}).to(torch::kInt64).contiguous();
  std::vector<size_t> y(n);
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<size_t>(yt.data_ptr<int64_t>()[i]);
  const auto joint = calibrated_joint(p, y, k);
  const double* prob = p.data_ptr<double>();
  auto at = [&](size_t row, size_t j) { return prob[row * k + j]; };
  // prune_by_noise_rate: for each off-diagonal (given i, true j), the C[i][j] rows labelled i with the
  // largest margin p_j - p_i.
  std::vector<bool> flagged(n, false);
  std::vector<std::vector<size_t>> rows_of(k);
  for (size_t r = 0; r < n; ++r) rows_of[y[r]].push_back(r);
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < k; ++j) {
      const auto take = static_cast<size_t>(std::clamp<int64_t>(joint[i][j], 0, static_cast<int64_t>(rows_of[i].size())));
      if (i == j || take == 0) continue;
      std::vector<size_t> order(rows_of[i]);
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(take), order.end(),
                        [&](size_t a, size_t b) { return at(a, j) - at(a, i) > at(b, j) - at(b, i); });
      for (size_t t = 0; t < take; ++t) flagged[order[t]] = true;
    }
  }
  std::vector<LabelIssue> issues;
  for (size_t r = 0; r < n; ++r) {
    if (!flagged[r]) continue;
    LabelIssue issue;
    issue.index = r;
    issue.given = static_cast<int64_t>(y[r]);
    issue.given_probability = at(r, y[r]);
    issue.suggested_probability = -1.0;
    for (size_t j = 0; j < k; ++j)
      if (j != y[r] && at(r, j) > issue.suggested_probability)
        issue.suggested = static_cast<int64_t>(j), issue.suggested_probability = at(r, j);
    if (issue.given_probability >= issue.suggested_probability) continue;  // the model agrees with the label
    issues.push_back(issue);
  }
  std::sort(issues.begin(), issues.end(),
            [](const LabelIssue& a, const LabelIssue& b) { return a.given_probability < b.given_probability; });
  return issues;
}

void check_label_issues(const InspectInput& in, const InspectOptions& o, const DataBlocks& blocks,
                        const MakeBaseline& make_baseline, const std::string& baseline_name, InspectReport& report) {
  json section = {{"baseline", baseline_name}, {"folds", o.folds}, {"issues", json::array()}};
  auto skip = [&](const std::string& why) {
    section["skipped"] = why;
    report.sections["label_issues"] = section;
    report.note("label_issues", "label issues not searched: " + why);
  };
  if (!in.single_label)
    return skip("they need a single-label classification target (one class per row), and \"" +
                (in.target.empty() ? std::string("the target") : in.target) + "\" is " +
                (in.classes.empty() ? "a regression target" : "not single-label"));
  const auto& train = in.split.train;
  if (static_cast<int64_t>(train.size()) < 2 * o.folds)
    return skip(std::to_string(train.size()) + " training rows are too few for " + std::to_string(o.folds) +
                " folds (at least " + std::to_string(2 * o.folds) + " needed; lower inspect.folds)");
  if (!make_baseline) return skip("no baseline to fit (give the recipe a \"baselines\" entry)");
  const BaselineContext ctx{in.records, in.split, blocks};
  torch::Tensor probabilities, labels;
  try {
    labels = baseline_targets(ctx, train).reshape({-1}).to(torch::kInt64);
    const auto fold = assign_folds(labels, true, o.folds, o.seed);
    probabilities = out_of_fold(train, fold, o.folds, [&](const SplitIndices& inner) {
      auto baseline = make_baseline();
      const BaselineContext inner_ctx{in.records, inner, blocks};
      baseline->fit(inner_ctx);
      return baseline->predict(inner_ctx, inner.valid).to(torch::kDouble).exp();
    });
  } catch (const std::exception& e) {
    return skip("the baseline " + baseline_name + " failed: " + e.what());
  }
  const auto issues = find_label_issues(probabilities, labels);
  const auto classes = blocks.target().block->classes();
  auto name = [&](int64_t c) {
    return c >= 0 && static_cast<size_t>(c) < classes.size() ? classes[static_cast<size_t>(c)] : std::to_string(c);
  };
  json list = json::array();
  for (size_t i = 0; i < issues.size() && i < o.max_label_issues; ++i) {
    const LabelIssue& issue = issues[i];
    const size_t row = train[issue.index];
    json inputs = json::object();
    for (const auto& c : in.inputs) inputs[c] = in.records.at(row, c);
    list.push_back({{"row", row}, {"origin", in.records.origin(row)}, {"given", name(issue.given)},
                    {"suggested", name(issue.suggested)}, {"given_probability", issue.given_probability},
                    {"suggested_probability", issue.suggested_probability}, {"inputs", inputs}});
  }
  section["found"] = issues.size();
  section["issues"] = list;
  report.sections["label_issues"] = section;
  if (!issues.empty())
    report.warn("label_issues", "label issues: " + std::to_string(issues.size()) + " of " + std::to_string(train.size()) +
                                    " training rows look mislabelled (confident learning over " +
                                    std::to_string(o.folds) + "-fold out-of-fold probabilities of " + baseline_name +
                                    "); review label_issues.csv, most likely first");
}

}  // namespace adapt
