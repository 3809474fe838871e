#pragma once
// Internal: the parts of register_core_components (registry.h).
#include "adapt/plugin/registry.h"

namespace adapt {

void register_core_data(Registry& registry);      // readers, splitters, blocks, transforms
void register_core_training(Registry& registry);  // losses, metrics, baselines
void register_core_fusion(Registry& registry);    // core.fusion and core.modality_dropout
void register_fusion_demo(Registry& registry);    // the core.fusion demo (text plugin + core)

// The target block's "y_range" [low, high] from its dims(), or empty: models squash regression into it.
std::vector<double> target_y_range(const ModelContext& ctx);

}  // namespace adapt
