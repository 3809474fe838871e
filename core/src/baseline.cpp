#include "adapt/baseline.h"

namespace adapt {

Baseline::~Baseline() = default;

}  // namespace adapt
