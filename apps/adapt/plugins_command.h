#pragma once
// `adapt plugins list | info NAME | scan`, answered from the plugin cache (plugin_scan.h) without
// LibTorch and without opening any plugin in this process.
#include "cli_definition.h"

namespace adapt::cli {

int plugins_command(const Cli& cli);

}  // namespace adapt::cli
