#include "adapt/report.h"

namespace adapt {
Report::~Report() = default;
}  // namespace adapt
