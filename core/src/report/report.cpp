#include "adapt/report/report.h"

namespace adapt {
Report::~Report() = default;
}  // namespace adapt
