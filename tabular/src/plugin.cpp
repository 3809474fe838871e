// The tabular plugin: tables from CSV, fastai-style preprocessing learned on the training rows,
// fastai's TabularModel, training-only augmentations, logistic/ridge and XGBoost baselines, a
// permutation-importance report and a census-like demo.
#include "adapt/plugin/plugin.h"

#include "register.h"

namespace {

void register_tabular(adapt::Registry& registry) {
  adapt::tabular::register_readers(registry);
  adapt::tabular::register_blocks(registry);
  adapt::tabular::register_models(registry);
  adapt::tabular::register_transforms(registry);
  adapt::tabular::register_baselines(registry);
  adapt::tabular::register_reports(registry);
  adapt::tabular::register_demo(registry);
}

}  // namespace

ADAPT_PLUGIN("tabular", ADAPT_PLUGIN_VERSION, "MIT", "Tables: CSV reader, fastai-style preprocessing and TabularModel, XGBoost baseline",
             register_tabular)
