#pragma once
// One registration function per kind; each lives beside the components it registers.
#include "adapt/plugin/registry.h"

namespace adapt::protein {

void register_readers(Registry& registry);
void register_blocks(Registry& registry);
void register_transforms(Registry& registry);
void register_models(Registry& registry);
void register_baselines(Registry& registry);
void register_demo(Registry& registry);

}  // namespace adapt::protein
