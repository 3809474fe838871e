#include "adapt/train/callback.h"

namespace adapt {
Callback::~Callback() = default;
}  // namespace adapt
