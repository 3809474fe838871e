#pragma once
// "Too good to be true": each input column alone, through a one-feature model fitted on the training
// rows (class frequencies per value, or per quantile bin of a numeric column), predicts the target of the
// validation rows. A column reaching InspectOptions::leakage_auroc (macro one-vs-rest AUROC) is flagged
// as likely leakage: a copy of the label, or something known only after it. Classification targets only.
#include <vector>

#include "adapt/inspect/findings.h"
#include "adapt/inspect/inspect_input.h"

namespace adapt {

// Adds report.sections["leakage"]: [{column, kind, auroc}] best first. Without a validation split, 20%
// of the training rows (seeded) are held out for it; the test rows are never used.
ADAPT_API void check_single_column_leakage(const InspectInput& in, const InspectOptions& options,
                                           InspectReport& report);

// Area under the ROC curve of `scores` for `positive` (ties count half); 0.5 when one class is absent.
ADAPT_API double auroc(const std::vector<double>& scores, const std::vector<bool>& positive);

}  // namespace adapt
