#pragma once
// tabular.permutation_importance: after training, shuffles one raw input column at a time on the
// validation rows and measures how much the loss (and the first metric) worsen (Breiman 2001;
// scikit-learn's permutation_importance). A column's "_na" flag and date parts move with it.
// Writes feature_importance.csv to the run directory.
#include "adapt/registry.h"

namespace adapt::tabular {

void register_reports(Registry& registry);

}  // namespace adapt::tabular
