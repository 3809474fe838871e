#include "adapt/inspect/inspect_input.h"

namespace adapt {

InspectOptions InspectOptions::from_json(const json& section, uint64_t seed) {
  const InspectOptions d;
  OptionSchema schema{
      OptionSpec("groups", OptionType::string_list, json::array(),
                 "columns whose values group rows (speaker, patient): counts per group and split"),
      OptionSpec("label_issues", OptionType::boolean, d.label_issues,
                 "rank likely mislabelled training rows (adapt inspect only)"),
      OptionSpec("label_issues_model", OptionType::string, d.label_issues_model,
                 "whose out-of-fold probabilities: the baseline's, or the network's (trained once per fold; "
                 "adapt train then searches too)")
          .choices({"baseline", "network"}),
      OptionSpec("folds", OptionType::integer, d.folds, "folds of the out-of-fold baseline probabilities").min(2).max(50),
      OptionSpec("mostly_missing", OptionType::number, d.mostly_missing, "missing share of a mostly-missing column")
          .min(0).max(1),
      OptionSpec("outlier_iqr", OptionType::number, d.outlier_iqr, "outliers lie beyond Q1 - k IQR and Q3 + k IQR")
          .greater_than(0),
      OptionSpec("small_sample", OptionType::integer, static_cast<int64_t>(d.small_sample),
                 "training rows up to which drift is tested (KS, chi-squared), above measured (Wasserstein, JS)")
          .min(1),
      OptionSpec("drift_p_value", OptionType::number, d.drift_p_value, "drift below this p-value").min(0).max(1),
      OptionSpec("drift_distance", OptionType::number, d.drift_distance, "drift at or above this distance").min(0),
      OptionSpec("leakage_auroc", OptionType::number, d.leakage_auroc,
                 "one column reaching this validation AUROC alone is flagged as likely leakage").min(0.5).max(1),
      OptionSpec("dominant_group", OptionType::number, d.dominant_group, "share of a split that one group dominates")
          .min(0).max(1),
      OptionSpec("max_label_issues", OptionType::integer, static_cast<int64_t>(d.max_label_issues),
                 "rows listed in label_issues.csv, at most").min(0),
  };
  if (!section.is_object()) throw OptionError("inspect: must be an object, got " + section.dump());
  Options o(schema, section, "inspect");
  InspectOptions out;
  out.groups = o.strings("groups");
  out.label_issues = o.boolean("label_issues");
  out.label_issues_model = o.string("label_issues_model");
  out.folds = o.integer("folds");
  out.seed = seed;
  out.mostly_missing = o.number("mostly_missing");
  out.outlier_iqr = o.number("outlier_iqr");
  out.small_sample = static_cast<size_t>(o.integer("small_sample"));
  out.drift_p_value = o.number("drift_p_value");
  out.drift_distance = o.number("drift_distance");
  out.leakage_auroc = o.number("leakage_auroc");
  out.dominant_group = o.number("dominant_group");
  out.max_label_issues = static_cast<size_t>(o.integer("max_label_issues"));
  return out;
}

InspectInput inspect_input(const Records& records, const SplitIndices& split, const DataBlocks& blocks) {
  InspectInput in{records, split, blocks.input_columns(), {}, {}, false};
  const Block& target = *blocks.target().block;
  const auto columns = target.columns();
  if (columns.size() == 1) in.target = columns.front();
  in.classes = target.classes();
  in.single_label = !in.classes.empty() && columns.size() == 1 && target.loss() == "cross_entropy";
  return in;
}

const std::vector<size_t>& split_rows(const SplitIndices& split, const std::string& name) {
  if (name == "train") return split.train;
  if (name == "valid") return split.valid;
  if (name == "test") return split.test;
  throw Error("split_rows: no split named \"" + name + "\" (train, valid, test)");
}

}  // namespace adapt
