// The tabular plugin: tables from CSV, fastai-style preprocessing learned on the training rows,
// fastai's TabularModel, training-only augmentations, logistic/ridge and XGBoost baselines, a
// permutation-importance report and a census-like demo.
#include "adapt/plugin.h"

#include "augment.h"
#include "baselines.h"
#include "census_demo.h"
#include "csv_reader.h"
#include "feature_importance.h"
#include "table_block.h"
#include "tabular_model.h"

namespace {

void register_tabular(adapt::Registry& registry) {
  using namespace adapt::tabular;
  registry.add_reader("tabular.csv", "a table from CSV, with missing markers and an optional separate test file",
                      csv_reader_schema(),
                      [](const adapt::Options& o) { return std::make_shared<CsvTableReader>(o); });
  registry.add_block("tabular.table",
                     "table columns -> x.cat codes + x.cont values (Categorify, FillMissing, Normalize, date parts)",
                     table_block_schema(), [](const adapt::Options& o) { return std::make_shared<TableBlock>(o); });
  registry.add_model("tabular.model", "fastai's TabularModel: embeddings + continuous -> Linear-ReLU-BN-Dropout",
                     tabular_model_schema(), make_tabular_model);
  register_augmentations(registry);
  register_baselines(registry);
  register_reports(registry);
  register_demo(registry);
}

}  // namespace

ADAPT_PLUGIN("tabular", "0.1.0", "MIT", "Tables: CSV reader, fastai-style preprocessing and TabularModel, XGBoost baseline",
             register_tabular)
