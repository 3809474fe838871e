#include "adapt/transform.h"

namespace adapt {

Transform::~Transform() = default;
void Transform::setup(const DataBlocks&) {}

}  // namespace adapt
