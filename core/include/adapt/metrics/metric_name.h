#pragma once
// How a recipe names a metric it has (primary_metric): by the metric's own name ("mcc") or by its
// component name ("core.mcc", "recsys.hr_at_k" naming "hr@10" is not covered: use the metric's name).
#include <string>

#include "adapt/metrics/metric.h"

namespace adapt {

inline bool names_metric(const std::string& name, const Metric& metric) {
  const auto dot = name.find('.');
  return name == metric.name() || (dot != std::string::npos && name.substr(dot + 1) == metric.name());
}

}  // namespace adapt
