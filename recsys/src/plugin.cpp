// The recsys plugin: registers every component under "recsys.".
#include <adapt/plugin/plugin.h>

#include "register.h"

namespace {

void register_recsys(adapt::Registry& registry) {
  adapt::recsys::register_readers(registry);
  adapt::recsys::register_splitters(registry);
  adapt::recsys::register_blocks(registry);
  adapt::recsys::register_transforms(registry);
  adapt::recsys::register_models(registry);
  adapt::recsys::register_baselines(registry);
  adapt::recsys::register_reports(registry);
  adapt::recsys::register_demo(registry);
}

}  // namespace

ADAPT_PLUGIN("recsys", ADAPT_PLUGIN_VERSION, "MIT", "Recommender systems: ids, factorisation models, ranking", register_recsys)
