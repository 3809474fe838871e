#pragma once
// Baselines reported beside the network in every tabular run, fitted on the training rows only:
//   tabular.linear   logistic (classification) or ridge (regression) regression on one-hot
//                    categories plus the standardised continuous columns (core linear_model.h)
//   tabular.xgboost  gradient-boosted trees from libxgboost (C API), on category codes (0 = missing)
//                    and continuous columns
#include "adapt/registry.h"

namespace adapt::tabular {

void register_baselines(Registry& registry);

}  // namespace adapt::tabular
