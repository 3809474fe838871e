#pragma once
// evaluate_model: an export scored on new labelled data, read with the recipe's own reader settings
// (stored in the export) pointed at another file: "what would the results have looked like on last
// year's data". Every row of the file is scored; nothing is trained or fitted.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "adapt/export/export.h"

namespace adapt {

struct EvaluateOptions {
  std::vector<std::string> slices;  // columns to score each value of separately (worst first)
  std::filesystem::path out_dir;    // metrics.json, predictions.csv, confusion matrix, slices; empty: none
  std::ostream* out = nullptr;      // the printed report; nullptr: std::cout
};

// {"data", "rows", "metrics": {"loss", ...}, "primary_metric", "confusion_matrix" (classifiers),
//  "slices": {"<column>": [...]}}. The probabilities are temperature-scaled as predict's are. Throws
// DataError naming the file and row when the data lacks a column the model reads or has a label the
// model does not know, OptionError for a slice column it lacks.
ADAPT_API json evaluate_model(const Predictor& predictor, const std::filesystem::path& data, const Registry& registry,
                              const EvaluateOptions& options = {});

}  // namespace adapt
