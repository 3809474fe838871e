#include "adapt/callback.h"

namespace adapt {
Callback::~Callback() = default;
}  // namespace adapt
