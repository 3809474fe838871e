// Checks of validation and test against the training split (docs/inspect.md, "Splits").
#include "adapt/inspect/split_drift.h"

#include "adapt/inspect/similar_texts.h"

#include <cctype>
#include <map>
#include <set>
#include <unordered_set>

#include "adapt/common/hash.h"
#include "adapt/inspect/column_profile.h"
#include "adapt/inspect/drift_statistics.h"
#include "adapt/inspect/integrity.h"
#include "inspect/drift_by_test.h"

namespace adapt {
namespace {

const char* long_name(const std::string& split) { return split == "valid" ? "validation" : "test"; }

std::string quoted_list(const std::set<std::string>& values, size_t limit = 10) {
  std::string list;
  size_t i = 0;
  for (const auto& v : values) {
    if (i++ == limit) return list + ", ...";
    list += (list.empty() ? "\"" : ", \"") + v + "\"";
  }
  return list;
}

std::map<std::string, size_t> category_counts(const Records& records, size_t column, const std::vector<size_t>& rows) {
  std::map<std::string, size_t> counts;
  for (size_t r : rows) ++counts[records.at(r, column)];
  return counts;
}

void check_unseen_labels(const InspectInput& in, const std::string& split, json& entry, InspectReport& report) {
  if (in.classes.empty() || in.target.empty()) return;
  const auto& column = in.records.column(in.target);
  std::unordered_set<std::string> seen;
  for (size_t r : in.split.train) seen.insert(column[r]);
  std::set<std::string> unseen;
  for (size_t r : split_rows(in.split, split))
    if (!seen.count(column[r])) unseen.insert(column[r]);
  entry["unseen_labels"] = unseen;
  if (!unseen.empty())
    report.warn("unseen_labels", std::string("labels seen only in ") + long_name(split) + ": " + quoted_list(unseen) +
                                     "; the model cannot predict them (use a stratified split or more data)");
}

// Lower-cased letters and digits, one space between words: "Free entry!!" and "free  ENTRY" agree.
std::string normalised(const std::string& value) {
  std::string out;
  bool space = false;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c >= 0x80) {
      if (space && !out.empty()) out += ' ';
      out += static_cast<char>(std::tolower(c));
      space = false;
    } else {
      space = true;
    }
  }
  return out;
}

// Held-out rows left after exact and normalised matching whose prose is similar to a training row's.
void check_similar_texts(const InspectInput& in, const std::string& split, const std::vector<size_t>& rows,
                         json& entry, InspectReport& report) {
  const SimilarTextOptions options;
  const auto prose = prose_columns(in.records, in.split.train, in.inputs, options);
  if (prose.empty()) return;
  const auto similar = similar_to_train(in.records, in.split.train, rows, prose, options);
  json examples = json::array();
  for (size_t i = 0; i < std::min<size_t>(similar.size(), 5); ++i)
    examples.push_back({{"row", in.records.origin(similar[i].row)},
                        {"train_row", in.records.origin(similar[i].train_row)},
                        {"similarity", similar[i].similarity}});
  entry["similar_texts_to_train"] = {{"rows", similar.size()}, {"columns", prose}, {"examples", examples}};
  if (similar.empty()) return;
  const size_t n = split_rows(in.split, split).size();
  report.warn("similar_texts",
              "similar texts: " + std::to_string(similar.size()) + " of " + std::to_string(n) + " " +
                  long_name(split) + " rows share at least " + std::to_string(static_cast<int>(options.threshold * 100)) +
                  "% of their word pairs with a training row (" + percent(static_cast<double>(similar.size()) / static_cast<double>(n)) +
                  "; e.g. " + examples[0]["row"].get<std::string>() + " and " + examples[0]["train_row"].get<std::string>() +
                  "); edited copies inflate held-out scores (deduplicate, or group them with core.grouped)");
}

void check_duplicates_of_train(const InspectInput& in, const std::string& split, json& entry, InspectReport& report) {
  if (in.inputs.empty()) return;
  std::vector<size_t> columns;
  for (const auto& c : in.inputs) columns.push_back(in.records.column_index(c));
  auto near_key = [&](size_t r) {
    uint64_t h = kFnv1aBasis;
    for (size_t c : columns) h = fnv1a64_field(normalised(in.records.at(r, c)), h);
    return h;
  };
  std::unordered_set<uint64_t> exact, near;
  exact.reserve(in.split.train.size() * 2);
  near.reserve(in.split.train.size() * 2);
  for (size_t r : in.split.train) {
    exact.insert(row_key(in.records, columns, r));
    near.insert(near_key(r));
  }
  const auto& rows = split_rows(in.split, split);
  size_t shared = 0, near_only = 0;
  std::vector<size_t> unmatched;
  for (size_t r : rows) {
    if (exact.count(row_key(in.records, columns, r))) ++shared;
    else if (near.count(near_key(r))) ++near_only;
    else unmatched.push_back(r);
  }
  entry["duplicates_of_train"] = shared;
  entry["near_duplicates_of_train"] = near_only;
  check_similar_texts(in, split, unmatched, entry, report);
  const double n = static_cast<double>(rows.size());
  if (shared > 0)
    report.warn("leakage", "leakage: " + std::to_string(shared) + " of " + std::to_string(rows.size()) + " " +
                               long_name(split) + " rows have inputs identical to a training row (" +
                               percent(static_cast<double>(shared) / n) +
                               "); scores on them overstate generalisation (deduplicate, or use core.grouped)");
  if (near_only > 0)
    report.warn("near_duplicates", "near duplicates: " + std::to_string(near_only) + " of " +
                                       std::to_string(rows.size()) + " " + long_name(split) +
                                       " rows match a training row once case, punctuation and spacing are ignored (" +
                                       percent(static_cast<double>(near_only) / n) + ")");
}

void check_new_categories(const InspectInput& in, const std::string& split, const std::string& column, json& entry,
                          InspectReport& report) {
  const size_t index = in.records.column_index(column);
  std::unordered_set<std::string> seen;
  for (size_t r : in.split.train) seen.insert(in.records.at(r, index));
  std::set<std::string> fresh;
  size_t rows_with = 0;
  const auto& rows = split_rows(in.split, split);
  for (size_t r : rows) {
    const std::string& v = in.records.at(r, index);
    if (is_missing_value(v) || seen.count(v)) continue;
    fresh.insert(v);
    ++rows_with;
  }
  if (fresh.empty()) return;
  entry["new_categories"][column] = {{"values", fresh.size()}, {"rows", rows_with}};
  const double share = static_cast<double>(rows_with) / static_cast<double>(rows.size());
  std::string message = "new categories: " + std::to_string(rows_with) + " " + long_name(split) + " rows (" +
                        percent(share) + ") hold values of \"" + column + "\" never seen in training: " +
                        quoted_list(fresh, 5) + "; the blocks map them to an unknown value";
  if (share >= 0.01) report.warn("new_categories", message);
  else report.note("new_categories", message);
}

}  // namespace

json column_drift(const Records& records, size_t column, bool numeric, const std::vector<size_t>& reference,
                  const std::vector<size_t>& current, const InspectOptions& o) {
  const bool small = detail::drift_by_test(reference.size(), current.size(), o.small_sample);
  json out;
  if (numeric) {
    std::vector<double> a, b;
    for (size_t r : reference)
      if (auto x = parse_number(records.at(r, column))) a.push_back(*x);
    for (size_t r : current)
      if (auto x = parse_number(records.at(r, column))) b.push_back(*x);
    if (small) {
      const KsResult ks = ks_two_sample(a, b);
      out = {{"method", "ks"}, {"statistic", ks.statistic}, {"p_value", ks.p_value}, {"threshold", o.drift_p_value},
             {"drift", ks.p_value < o.drift_p_value}};
    } else {
      const double d = wasserstein_normed(a, b);
      out = {{"method", "wasserstein"}, {"statistic", d}, {"threshold", o.drift_distance}, {"drift", d >= o.drift_distance}};
    }
    return out;
  }
  const auto ref = category_counts(records, column, reference), cur = category_counts(records, column, current);
  if (small) {
    const ChiSquaredResult chi = chi_squared_counts(ref, cur);
    out = {{"method", "chi_squared"}, {"statistic", chi.statistic}, {"p_value", chi.p_value},
           {"threshold", o.drift_p_value}, {"drift", chi.p_value < o.drift_p_value}};
  } else {
    const double d = jensen_shannon_distance(ref, cur);
    out = {{"method", "jensen_shannon"}, {"statistic", d}, {"threshold", o.drift_distance}, {"drift", d >= o.drift_distance}};
  }
  return out;
}

void check_splits(const InspectInput& in, const InspectOptions& o, InspectReport& report) {
  json splits = json::object(), drift = json::array();
  // Column kinds come from the training rows: what the model learns from.
  std::vector<std::pair<std::string, ColumnKind>> kinds;
  for (const auto& c : in.inputs)
    kinds.emplace_back(c, profile_column(in.records, in.records.column_index(c), in.split.train, "input").kind);
  for (const std::string split : {"valid", "test"}) {
    const auto& rows = split_rows(in.split, split);
    if (rows.empty()) continue;
    json entry = {{"rows", rows.size()}};
    check_unseen_labels(in, split, entry, report);
    if (!in.target.empty()) {
      const size_t t = in.records.column_index(in.target);
      json shift = column_drift(in.records, t, in.classes.empty(), in.split.train, rows, o);
      entry["label_shift"] = shift;
      if (shift["drift"].get<bool>())
        report.warn("label_shift", "label shift: \"" + in.target + "\" is distributed differently in " +
                                       long_name(split) + " than in training (" + shift["method"].get<std::string>() +
                                       " " + shift["statistic"].dump() +
                                       "); scores there weigh the classes differently (use a stratified split?)");
    }
    for (const auto& [column, kind] : kinds) {
      if (kind == ColumnKind::text || kind == ColumnKind::empty) continue;  // free text: no distribution to compare
      json d = column_drift(in.records, in.records.column_index(column), kind == ColumnKind::numeric, in.split.train,
                            rows, o);
      d["split"] = split;
      d["column"] = column;
      drift.push_back(d);
      if (d["drift"].get<bool>())
        report.warn("drift", "drift: \"" + column + "\" in " + long_name(split) + " differs from training (" +
                                 d["method"].get<std::string>() + " " +
                                 (d.contains("p_value") ? "p = " + d["p_value"].dump() : d["statistic"].dump()) +
                                 "); the model is scored on data unlike what it learned from");
      if (kind == ColumnKind::categorical) check_new_categories(in, split, column, entry, report);
    }
    check_duplicates_of_train(in, split, entry, report);
    splits[split] = entry;
  }
  report.sections["splits"] = splits;
  report.sections["drift"] = drift;
}

}  // namespace adapt
