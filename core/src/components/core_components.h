#pragma once
// Internal: the two halves of register_core_components (registry.h).
#include "adapt/plugin/registry.h"

namespace adapt {

void register_core_data(Registry& registry);      // readers, splitters, blocks, transforms
void register_core_training(Registry& registry);  // losses, metrics, baselines

}  // namespace adapt
