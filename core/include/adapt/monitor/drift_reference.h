#pragma once
// What a model keeps of its data to tell later whether new inputs drifted away from it: a sample of
// the raw input columns (training rows), a sample of the pooled features on rows it did not train on
// (validation), its predicted-label mix there, and the out-of-domain share expected in domain.
// compare() runs every test that applies against new data and decides, with the tests' family-wise
// error held at DriftOptions::p_value (Bonferroni), so a drift alarm on data like the reference is rare.
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "adapt/data/records.h"
#include "adapt/inspect/inspect_input.h"

namespace adapt {

struct DriftOptions {
  double p_value = 0.01;      // family-wise false alarm rate of the tests with p-values
  int64_t permutations = 200; // of the feature test, at least 2 / its share of p_value
  size_t max_rows = 1000;     // new rows compared on features (a seeded sample above)
  uint64_t seed = 0;
  InspectOptions columns;     // per-column statistics and thresholds, as adapt inspect's
};

// The new data as the model saw it.
struct DriftSample {
  const Records* records = nullptr;        // raw rows (the reference's columns)
  torch::Tensor features;                  // [N, D] pooled features, or undefined
  std::map<std::string, size_t> labels;    // predicted-label counts (classifiers)
  size_t out_of_domain = 0, scored = 0;    // inputs flagged out of domain, of those scored
};

// How many rows a classifier predicts for each class: `outputs` [N, classes.size()] logits; empty
// when the outputs are not one row of class scores per input.
ADAPT_API std::map<std::string, size_t> predicted_label_counts(const torch::Tensor& outputs,
                                                              const std::vector<std::string>& classes);

class ADAPT_API DriftReference {
 public:
  static constexpr size_t kColumnRows = 5000;  // raw rows kept
  static constexpr size_t kFeatureRows = 1000; // feature rows kept

  // A seeded sample of `rows` of `columns` (numeric and categorical ones; free text has no
  // distribution to compare).
  void set_columns(const Records& records, const std::vector<size_t>& rows, const std::vector<std::string>& columns,
                   uint64_t seed);
  void set_features(const torch::Tensor& features, uint64_t seed);
  void set_labels(std::map<std::string, size_t> labels) { labels_ = std::move(labels); }
  // The share of `rows` reference (validation) rows over the out-of-domain threshold.
  void set_expected_out_of_domain(double share, size_t rows) { expected_ood_ = share, ood_rows_ = rows; }

  bool empty() const { return column_names_.empty() && !features_.defined() && labels_.empty(); }
  const std::vector<std::string>& columns() const { return column_names_; }
  bool has_features() const { return features_.defined(); }

  // {"drift": bool, "tests": [...], "columns": [...], "findings": [...]}; throws DataError naming
  // the reference columns `sample.records` lacks.
  json compare(const DriftSample& sample, const DriftOptions& options = {}) const;

  json state() const;
  void write(torch::serialize::OutputArchive& archive) const;
  static DriftReference load(const json& state, torch::serialize::InputArchive& archive, const std::string& what);

 private:
  std::vector<std::string> column_names_, kinds_;  // kinds: "numeric" or "categorical"
  std::vector<std::vector<std::string>> values_;   // per column
  torch::Tensor features_;
  std::map<std::string, size_t> labels_;
  double expected_ood_ = -1.0;  // < 0: no out-of-domain scores
  size_t ood_rows_ = 0;
};

}  // namespace adapt
