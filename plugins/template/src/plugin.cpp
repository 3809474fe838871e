// The entry point: name (the prefix of every component), version, SPDX licence, one line of
// description, and the function that registers the components.
#include <adapt/plugin/plugin.h>

namespace mytemplate {
void register_scale_block(adapt::Registry& registry);
}

namespace {
void register_mytemplate(adapt::Registry& registry) { mytemplate::register_scale_block(registry); }
}  // namespace

ADAPT_PLUGIN("mytemplate", ADAPT_PLUGIN_VERSION, "MIT", "A minimal plugin to copy: one block", register_mytemplate)
