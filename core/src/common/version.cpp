#include "adapt/common/version.h"

#include <torch/version.h>

namespace adapt {

std::string build_fingerprint() { return ADAPT_BUILD_FINGERPRINT; }

std::string version() { return ADAPT_VERSION_STRING; }

}  // namespace adapt
