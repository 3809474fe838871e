// Out-of-line destructors give each exception type one home for its vtable and typeinfo (in the
// core library, default visibility), so `catch (const adapt::OptionError&)` works across plugins.
#include "adapt/common/error.h"

namespace adapt {

Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;
DataError::~DataError() = default;
OptionError::~OptionError() = default;
PluginError::~PluginError() = default;

}  // namespace adapt
