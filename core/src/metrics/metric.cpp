#include "adapt/metrics/metric.h"

namespace adapt {

Metric::~Metric() = default;

}  // namespace adapt
