#include "adapt/baseline/baseline.h"

namespace adapt {

Baseline::~Baseline() = default;

}  // namespace adapt
