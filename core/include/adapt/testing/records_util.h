#pragma once
// Small Records helpers the checks share: the first rows, two tables end to end, and running a step
// that may throw as a test failure naming the component and the step.
#include <gtest/gtest.h>

#include <algorithm>
#include <exception>
#include <numeric>
#include <string>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/data/records.h"

namespace adapt::testing::detail {

inline Records first_rows(const Records& records, size_t n) {
  std::vector<size_t> rows(std::min(n, records.size()));
  std::iota(rows.begin(), rows.end(), size_t{0});
  return records.subset(rows);
}

// `a`'s rows then `b`'s, in `a`'s columns (a column `b` lacks is left empty).
inline Records concat(const Records& a, const Records& b) {
  Records out(a.column_names(), a.source());
  for (size_t row = 0; row < a.size(); ++row) {
    std::vector<std::string> fields;
    for (size_t c = 0; c < a.column_names().size(); ++c) fields.push_back(a.at(row, c));
    out.add_row(std::move(fields), a.origin(row));
  }
  for (size_t row = 0; row < b.size(); ++row) {
    std::vector<std::string> fields;
    for (const auto& name : a.column_names()) fields.push_back(b.has_column(name) ? b.at(row, name) : "");
    out.add_row(std::move(fields), b.origin(row));
  }
  return out;
}

// A recipe entry as an object: "core.accuracy" -> {"name": "core.accuracy"}.
inline json spec_object(const json& spec) { return spec.is_string() ? json{{"name", spec}} : spec; }

// "row 3 (data.csv:5)": how the messages name a record.
inline std::vector<std::string> row_labels(const Records& records) {
  std::vector<std::string> labels;
  for (size_t row = 0; row < records.size(); ++row) {
    const std::string& origin = records.origin(row);
    labels.push_back("row " + std::to_string(row) + (origin.empty() ? "" : " (" + origin + ")"));
  }
  return labels;
}

// Runs `step`; an exception becomes a failure "<who>: <what> threw: <message>" and false.
template <typename F>
bool attempt(const std::string& who, const std::string& what, F&& step) {
  try {
    step();
    return true;
  } catch (const std::exception& e) {
    ADD_FAILURE() << who << ": " << what << " threw: " << e.what();
  } catch (...) {
    ADD_FAILURE() << who << ": " << what << " threw a non-standard exception";
  }
  return false;
}

}  // namespace adapt::testing::detail
