#pragma once
// detect_drift: new inputs against the reference an export keeps (monitor/drift_reference.h): the
// drift of each numeric and categorical input column, of the pooled features (MMD), of the share of
// inputs flagged out of domain and of the predicted-label mix. Nothing is trained; labels are not
// needed. `adapt drift` exits with kDriftExitCode when drift is found, so a scheduled job can act.
#include <filesystem>
#include <ostream>

#include "adapt/export/export.h"

namespace adapt {

constexpr int kDriftExitCode = 3;

struct DetectDriftOptions {
  DriftOptions tests;
  std::filesystem::path out_dir;  // drift.json, drift_columns.csv, drift.svg; empty: none
  std::ostream* out = nullptr;    // the printed report; nullptr: std::cout
};

// DriftReference::compare's report plus {"data", "out_of_domain": {"flagged", "scored", "share"}}.
// Throws Error when the export keeps no reference (made before adapt kept one: retrain), DataError
// naming a column the model reads that the data lacks.
ADAPT_API json detect_drift(const Predictor& predictor, const Records& records, const DetectDriftOptions& options = {});

}  // namespace adapt
