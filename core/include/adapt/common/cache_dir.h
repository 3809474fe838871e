#pragma once
// The user's cache folder for adapt: $XDG_CACHE_HOME/adapt, else ~/.cache/adapt, else a temporary
// folder. It holds what outlives a run but is not the user's data (the plugin registry, the test ledger).
#include <filesystem>

#include "adapt/common/error.h"

namespace adapt {

ADAPT_API std::filesystem::path user_cache_dir();

}  // namespace adapt
