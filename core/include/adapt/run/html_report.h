#pragma once
// The run report: report.html, one self-contained page per run directory (inline SVG and CSS, no
// script, nothing fetched) that ties together what the run wrote there: the verdict, the learning
// curves, lr_find, the confusion matrix, top losses, slices, calibration, sanity runs, data warnings,
// plugin reports, the model summary and a model card. It is built from the run directory's files alone,
// so a run and `adapt report RUN_DIR` produce the same page; a section the run lacks is left out.
#include <filesystem>
#include <string>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

// The ids of the sections, in page order (each is the id of a <section> in the page).
ADAPT_API const std::vector<std::string>& html_report_sections();

// The page for `run_dir`. Its run.json is required (a run writes it last): without it, or when it or
// metrics.json cannot be parsed, throws Error naming the file.
ADAPT_API std::string html_report(const std::filesystem::path& run_dir);

// Writes run_dir/report.html (atomically) and returns its path.
ADAPT_API std::filesystem::path write_html_report(const std::filesystem::path& run_dir);

}  // namespace adapt
