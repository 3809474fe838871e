#include "adapt/metric.h"

namespace adapt {

Metric::~Metric() = default;

}  // namespace adapt
