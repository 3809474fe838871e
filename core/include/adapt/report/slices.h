#pragma once
// Slices ("weak segments"): a model's metrics on each value of a column separately, worst first, so a
// good average cannot hide the speaker, source or site it fails on. Used by training runs
// ("slices" in a recipe) and by `adapt evaluate`.
#include <torch/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "adapt/common/error.h"
#include "adapt/common/options.h"
#include "adapt/metrics/metric.h"

namespace adapt {

using SliceMetrics = std::function<std::vector<std::shared_ptr<Metric>>()>;

// Groups the items by values[i] (one value per output row) and scores each group with fresh metrics:
// [{"value", "rows", "<metric>": value or null when undefined on the slice}, ...], worst first on `key`
// (better when `higher`), slices where it is undefined last.
ADAPT_API std::vector<json> score_slices(const torch::Tensor& outputs, const torch::Tensor& targets,
                                         const std::vector<std::string>& values, const SliceMetrics& make_metrics,
                                         const std::string& key, bool higher);

// Prints one column's slices as a table ("slices by COLUMN (PART), worst KEY first"), appends them to
// `csv` (column,value,part,rows,<metrics>; the header when `csv` is empty) and, when `svg` is not empty,
// draws KEY per value as bars.
ADAPT_API void report_slices(const std::vector<json>& slices, const std::string& column, const std::string& part,
                             const std::vector<std::string>& metric_names, const std::string& key, std::ostream& out,
                             std::string& csv, const std::filesystem::path& svg = {});

// A column name as part of a file name (anything but letters, digits, '-' and '_' becomes '_').
ADAPT_API std::string file_safe(std::string name);

}  // namespace adapt
