// Integrity checks over every row of the data (docs/inspect.md, "Integrity").
#include "adapt/inspect/integrity.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "adapt/common/hash.h"
#include "adapt/inspect/column_profile.h"

namespace adapt {
namespace {

std::vector<size_t> all_rows(const SplitIndices& split) {
  std::vector<size_t> rows(split.train);
  rows.insert(rows.end(), split.valid.begin(), split.valid.end());
  rows.insert(rows.end(), split.test.begin(), split.test.end());
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Inputs, target and groups, each once, with its role.
std::vector<std::pair<std::string, std::string>> audited_columns(const InspectInput& in, const InspectOptions& o) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const std::string& c, const char* role) {
    if (c.empty() || !in.records.has_column(c)) return;
    for (const auto& [name, r] : out)
      if (name == c) return;
    out.emplace_back(c, role);
  };
  for (const auto& c : in.inputs) add(c, "input");
  add(in.target, "target");
  for (const auto& c : o.groups) add(c, "group");
  return out;
}

// Count of numbers beyond Q1 - k IQR or Q3 + k IQR, and the bounds; 0 when the IQR is 0.
json numeric_outliers(const Records& records, size_t column, const std::vector<size_t>& rows, double k) {
  std::vector<double> v;
  for (size_t r : rows)
    if (auto x = parse_number(records.at(r, column))) v.push_back(*x);
  if (v.size() < 20) return nullptr;
  std::sort(v.begin(), v.end());
  auto quantile = [&](double q) { return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))]; };
  const double q1 = quantile(0.25), q3 = quantile(0.75), iqr = q3 - q1;
  if (iqr <= 0) return nullptr;
  const double low = q1 - k * iqr, high = q3 + k * iqr;
  size_t count = 0;
  for (double x : v) count += (x < low || x > high);
  return {{"count", count}, {"low", low}, {"high", high}, {"min", v.front()}, {"max", v.back()}};
}

void check_columns(const InspectInput& in, const InspectOptions& o, const std::vector<size_t>& rows,
                   InspectReport& report) {
  json columns = json::array();
  for (const auto& [name, role] : audited_columns(in, o)) {
    const size_t index = in.records.column_index(name);
    const ColumnProfile p = profile_column(in.records, index, rows, role);
    const size_t present = p.rows - p.missing;
    json entry = {{"column", name}, {"role", role}, {"kind", to_string(p.kind)}, {"rows", p.rows},
                  {"missing", p.missing}, {"distinct", p.distinct}, {"numbers", p.numbers},
                  {"top_value", p.top_value}, {"top_count", p.top_count}};
    const std::string quoted = "\"" + name + "\"";
    if (p.kind != ColumnKind::empty && p.distinct == 1 && role == "input")
      report.warn("single_value", "single-value column: " + quoted + " holds only \"" + p.top_value +
                                      "\"; it carries no information (drop it from the inputs)");
    if (p.rows > 0 && p.missing_share() > o.mostly_missing)
      report.warn("mostly_missing", "mostly missing: " + quoted + " is missing in " + percent(p.missing_share()) +
                                        " of the rows; check the reader, or drop the column");
    if (p.kind != ColumnKind::text && p.numbers > 0 && p.numbers < present) {
      const size_t rare = std::min(p.numbers, present - p.numbers);
      const double share = static_cast<double>(rare) / static_cast<double>(present);
      entry["rare_type_share"] = share;
      if (share <= 0.1)
        report.warn("mixed_types", "mixed types: " + quoted + " holds " + std::to_string(p.numbers) + " numbers and " +
                                       std::to_string(present - p.numbers) +
                                       " other values; the rare kind is likely an error or a missing-value marker");
    }
    if (p.kind == ColumnKind::numeric) {
      json outliers = numeric_outliers(in.records, index, rows, o.outlier_iqr);
      entry["outliers"] = outliers;
      if (outliers.is_object() && outliers["count"].get<size_t>() > 0) {
        char bounds[96];
        std::snprintf(bounds, sizeof bounds, "outside [%g, %g]; range %g to %g", outliers["low"].get<double>(),
                      outliers["high"].get<double>(), outliers["min"].get<double>(), outliers["max"].get<double>());
        report.note("outliers", "outliers: " + std::to_string(outliers["count"].get<size_t>()) + " values of " + quoted +
                                    " lie " + bounds + " (" + std::to_string(static_cast<int>(o.outlier_iqr)) +
                                    " IQR beyond the quartiles)");
      }
    }
    columns.push_back(entry);
  }
  report.sections["columns"] = columns;
}

// Rows repeating an earlier row's inputs and label; groups of equal inputs with different labels.
void check_duplicates(const InspectInput& in, const std::vector<size_t>& rows, InspectReport& report) {
  if (in.inputs.empty()) return;
  std::vector<size_t> input_columns;
  for (const auto& c : in.inputs) input_columns.push_back(in.records.column_index(c));
  const bool has_target = !in.target.empty() && in.records.has_column(in.target);
  const size_t target_column = has_target ? in.records.column_index(in.target) : 0;
  std::unordered_map<uint64_t, std::vector<size_t>> by_inputs;
  by_inputs.reserve(rows.size() * 2);
  for (size_t r : rows) by_inputs[row_key(in.records, input_columns, r)].push_back(r);
  size_t duplicates = 0, conflicting_rows = 0, conflicting_groups = 0;
  json examples = json::array(), conflicts = json::array();
  for (const auto& [key, group] : by_inputs) {
    if (group.size() < 2) continue;
    std::map<std::string, size_t> labels;
    for (size_t r : group) ++labels[has_target ? in.records.at(r, target_column) : std::string()];
    for (const auto& [label, n] : labels) duplicates += n - 1;
    if (examples.size() < 5) examples.push_back(in.records.origin(group.front()));
    if (labels.size() > 1) {
      ++conflicting_groups;
      conflicting_rows += group.size();
      if (conflicts.size() < 5) {
        json c = {{"row", in.records.origin(group.front())}, {"labels", labels}};
        conflicts.push_back(c);
      }
    }
  }
  report.sections["integrity"] = {{"rows", rows.size()},
                                  {"duplicate_rows", duplicates},
                                  {"duplicate_examples", examples},
                                  {"conflicting_label_rows", conflicting_rows},
                                  {"conflicting_label_groups", conflicting_groups},
                                  {"conflict_examples", conflicts}};
  if (duplicates > 0)
    report.warn("duplicate_rows", "duplicate rows: " + std::to_string(duplicates) + " of " + std::to_string(rows.size()) +
                                      " rows repeat an earlier row's inputs and label (" +
                                      percent(static_cast<double>(duplicates) / static_cast<double>(rows.size())) +
                                      "); they weigh those rows more and may straddle the split (deduplicate)");
  if (conflicting_groups > 0)
    report.warn("conflicting_labels", "conflicting labels: " + std::to_string(conflicting_groups) +
                                          " sets of identical inputs carry different labels (" +
                                          std::to_string(conflicting_rows) + " rows, first at " +
                                          conflicts[0]["row"].get<std::string>() +
                                          "); no model can get them all right: check the labels");
}

// The training split's target: tiny sets, heavy imbalance, rare classes (the first data warnings).
void check_target(const InspectInput& in, InspectReport& report) {
  const size_t n_train = in.split.train.size();
  if (n_train < 100)
    report.warn("tiny_training_set", "tiny training set: " + std::to_string(n_train) +
                                         " rows; deep models need far more (expect the baseline to be as good or better)");
  if (in.classes.empty() || in.target.empty()) return;
  const auto& column = in.records.column(in.target);
  std::map<std::string, size_t> counts;
  for (size_t r : in.split.train) ++counts[column[r]];
  if (counts.empty()) return;
  auto majority = std::max_element(counts.begin(), counts.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
  const double share = static_cast<double>(majority->second) / static_cast<double>(n_train);
  if (share > kImbalancedMajorityShare)
    report.warn("imbalance", "heavily imbalanced labels: \"" + majority->first + "\" is " + percent(share) +
                                 " of the training rows; accuracy will look high even for a constant prediction (use "
                                 "f1/balanced_accuracy/mcc, or the weighted sampler)");
  std::vector<std::string> rare;
  for (const auto& [label, count] : counts)
    if (count < 10) rare.push_back("\"" + label + "\" (" + std::to_string(count) + ")");
  if (!rare.empty()) {
    std::string list;
    for (size_t i = 0; i < rare.size() && i < 10; ++i) list += (i ? ", " : "") + rare[i];
    if (rare.size() > 10) list += ", ...";
    report.warn("rare_classes", "classes with fewer than 10 training rows: " + list + "; they will rarely be predicted");
  }
  report.sections["integrity"]["train_label_counts"] = counts;
}

}  // namespace

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * fraction);
  return buf;
}

uint64_t row_key(const Records& records, const std::vector<size_t>& columns, size_t row) {
  uint64_t h = kFnv1aBasis;
  for (size_t c : columns) h = fnv1a64_field(records.at(row, c), h);
  return h;
}

void check_integrity(const InspectInput& in, const InspectOptions& options, InspectReport& report) {
  const std::vector<size_t> rows = all_rows(in.split);
  check_columns(in, options, rows, report);
  check_duplicates(in, rows, report);
  check_target(in, report);
}

}  // namespace adapt
