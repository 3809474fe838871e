#include "adapt/data/transform.h"

namespace adapt {

Transform::~Transform() = default;
void Transform::setup(const DataBlocks&) {}

}  // namespace adapt
