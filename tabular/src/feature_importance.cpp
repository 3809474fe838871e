// tabular.permutation_importance: after training, shuffles one raw input column at a time on the
// validation rows and measures how much the loss (and the first metric) worsen (Breiman 2001;
// scikit-learn's permutation_importance). A column's "_na" flag and date parts move with it.
// Writes feature_importance.csv to the run directory.
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "adapt/baseline/core_baselines.h"
#include "adapt/common/atomic_file.h"
#include "adapt/common/rng.h"
#include "adapt/data/csv_writer.h"
#include "adapt/train/learner.h"
#include "register.h"
#include "table_block.h"

namespace adapt::tabular {

namespace {

struct Score {
  double loss = 0, metric = 0;
};

class PermutationImportance : public Report {
 public:
  explicit PermutationImportance(const Options& o)
      : n_repeats_(o.integer("n_repeats")), max_rows_(o.integer("max_rows")), seed_(o.integer("seed")) {}

  json run(const ReportContext& ctx) const override {
    std::vector<size_t> rows = ctx.split.valid;
    if (rows.empty()) {
      ctx.out << "tabular.permutation_importance: no validation rows; skipped\n";
      return {{"skipped", "no validation rows"}};
    }
    if (static_cast<int64_t>(rows.size()) > max_rows_) {
      Rng rng(mix_seed(static_cast<uint64_t>(seed_), 1));
      std::shuffle(rows.begin(), rows.end(), rng.engine());
      rows.resize(static_cast<size_t>(max_rows_));
      std::sort(rows.begin(), rows.end());
    }
    std::vector<std::string> columns;
    for (const auto& bound : ctx.blocks.inputs()) {
      if (const auto* table = dynamic_cast<const TableBlock*>(bound.block.get())) {
        for (const auto& c : table->columns()) columns.push_back(c);
      }
    }
    if (columns.empty()) {
      throw OptionError("reports: tabular.permutation_importance needs a tabular.table input block");
    }
    const Records base = ctx.records.subset(rows);
    const BaselineContext bctx{ctx.records, ctx.split, ctx.blocks};
    const torch::Tensor targets = baseline_targets(bctx, rows);
    const auto& metrics = ctx.learner.metrics();
    Metric* metric = metrics.empty() ? nullptr : metrics.front().get();
    const double sign = metric && !metric->higher_is_better() ? -1.0 : 1.0;

    const auto score = [&](const Records& records) {
      torch::NoGradGuard no_grad;
      const torch::Tensor outputs = ctx.learner.outputs(records);
      Score s;
      s.loss = ctx.learner.loss_function().per_item(outputs, targets).mean().item<double>();
      if (metric) {
        metric->reset();
        metric->accumulate(outputs, targets);
        s.metric = metric->value();
      }
      return s;
    };
    const Score reference = score(base);

    struct Row {
      std::string column;
      double loss_increase, loss_std, metric_drop;
    };
    std::vector<Row> results;
    Rng rng(static_cast<uint64_t>(seed_));
    const auto& names = base.column_names();
    for (const auto& column : columns) {
      const size_t target_col = base.column_index(column);
      std::vector<double> increases, drops;
      for (int64_t r = 0; r < n_repeats_; ++r) {
        std::vector<size_t> perm(base.size());
        std::iota(perm.begin(), perm.end(), 0);
        std::shuffle(perm.begin(), perm.end(), rng.engine());
        Records shuffled(names, base.source());
        for (size_t i = 0; i < base.size(); ++i) {
          std::vector<std::string> fields;
          fields.reserve(names.size());
          for (size_t c = 0; c < names.size(); ++c) fields.push_back(base.at(c == target_col ? perm[i] : i, c));
          shuffled.add_row(std::move(fields), base.origin(i));
        }
        const Score s = score(shuffled);
        increases.push_back(s.loss - reference.loss);
        drops.push_back(sign * (reference.metric - s.metric));
      }
      const double mean = std::accumulate(increases.begin(), increases.end(), 0.0) / increases.size();
      double var = 0;
      for (double v : increases) var += (v - mean) * (v - mean);
      results.push_back({column, mean, std::sqrt(var / increases.size()),
                         std::accumulate(drops.begin(), drops.end(), 0.0) / drops.size()});
    }
    std::sort(results.begin(), results.end(),
              [](const Row& a, const Row& b) { return a.loss_increase > b.loss_increase; });

    const std::string metric_name = metric ? metric->name() : "";
    ctx.out << fmt::format("Permutation importance on {} validation rows ({} repeats; reference loss {:.4f}{}):\n",
                           rows.size(), n_repeats_, reference.loss,
                           metric ? fmt::format(", {} {:.4f}", metric_name, reference.metric) : "");
    ctx.out << fmt::format("  {:<24} {:>14} {:>10}{}\n", "column", "loss increase", "+/-",
                           metric ? fmt::format(" {:>14}", metric_name + " drop") : "");
    json table = json::array();
    std::ostringstream csv;
    csv << "column,loss_increase,loss_increase_std" << (metric ? "," + metric_name + "_drop" : "") << "\n";
    for (const auto& row : results) {
      ctx.out << fmt::format("  {:<24} {:>14.4f} {:>10.4f}{}\n", row.column, row.loss_increase, row.loss_std,
                             metric ? fmt::format(" {:>14.4f}", row.metric_drop) : "");
      csv << csv_field(row.column) << "," << row.loss_increase << "," << row.loss_std;
      if (metric) csv << "," << row.metric_drop;
      csv << "\n";
      json entry = {{"column", row.column}, {"loss_increase", row.loss_increase}, {"loss_increase_std", row.loss_std}};
      if (metric) entry[metric_name + "_drop"] = row.metric_drop;
      table.push_back(entry);
    }
    if (!ctx.out_dir.empty()) write_text_atomically(ctx.out_dir / "feature_importance.csv", csv.str());
    json result = {{"rows", rows.size()}, {"repeats", n_repeats_}, {"reference_loss", reference.loss},
                   {"importance", table}};
    if (metric) result["reference_" + metric_name] = reference.metric;
    return result;
  }

 private:
  int64_t n_repeats_, max_rows_, seed_;
};

}  // namespace

void register_reports(Registry& registry) {
  registry.add_report(
      "tabular.permutation_importance", "permutation feature importance of each input column on the validation rows",
      {OptionSpec("n_repeats", OptionType::integer, 3, "shuffles per column (mean and spread reported)").min(1),
       OptionSpec("max_rows", OptionType::integer, 5000, "validation rows used at most (a seeded sample)").min(10),
       OptionSpec("seed", OptionType::integer, 0, "shuffling seed").min(0)},
      [](const Options& o) { return std::make_shared<PermutationImportance>(o); });
}

}  // namespace adapt::tabular
