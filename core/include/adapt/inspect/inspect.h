#pragma once
// The data audit of `adapt inspect` (docs/inspect.md): integrity, splits, single-column leakage, groups
// and label issues, over a recipe's records, split and blocks, without training a network. Every
// `adapt train` runs the cheap part (all but label issues) and prints its warnings.
#include <filesystem>
#include <ostream>
#include <string>

#include "adapt/inspect/findings.h"
#include "adapt/inspect/inspect_input.h"
#include "adapt/inspect/label_issues.h"

namespace adapt {

// Integrity, splits, single-column leakage and groups: linear in the rows, no model fitted.
ADAPT_API InspectReport cheap_checks(const InspectInput& in, const InspectOptions& options);

// The cheap checks, the input blocks' own audits (Block::audit: the modality's checks), then label
// issues from `make_baseline` when options.label_issues (a null factory skips them with a note).
ADAPT_API InspectReport inspect_data(const InspectInput& in, const InspectOptions& options, const DataBlocks& blocks,
                                     const MakeBaseline& make_baseline, const std::string& baseline_name);

// The report for people: warnings, then notes, then the most likely label issues.
ADAPT_API void print_inspect_report(const InspectReport& report, std::ostream& out);

// label_issues.csv of a report's "label_issues" section: rank, row, origin, given and suggested label
// and their probabilities, then the raw inputs.
ADAPT_API std::string label_issues_csv(const json& section);

// inspect.json (the whole report), columns.csv, drift.csv, groups.csv and label_issues.csv in `dir`,
// each written atomically.
ADAPT_API void write_inspect_files(const InspectReport& report, const std::filesystem::path& dir);

}  // namespace adapt
