#pragma once
// New data for an export, read by the recipe's own reader (its settings stored in the export) pointed
// at another file or folder: what `adapt evaluate` and `adapt drift` read.
#include <filesystem>
#include <string>

#include "adapt/export/export.h"

namespace adapt {

// Throws OptionError naming `command` when the reader takes no path or the data does not exist.
ADAPT_API Records read_new_data(const Predictor& predictor, const std::filesystem::path& data,
                                const Registry& registry, const std::string& command);

}  // namespace adapt
