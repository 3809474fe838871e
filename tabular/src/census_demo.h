#pragma once
// tabular.demo: a deterministic synthetic census-like table (ages, work classes, education, hours,
// capital gains, an interview date) with missing values, rare categories and an imbalanced income
// label (about one row in four is ">50K"), written as train.csv and test.csv.
#include "adapt/registry.h"

namespace adapt::tabular {

void register_demo(Registry& registry);

}  // namespace adapt::tabular
