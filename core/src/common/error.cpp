// Out-of-line destructors give each exception type one home for its vtable and typeinfo (in the
// core library, default visibility), so `catch (const adapt::OptionError&)` works across plugins.
#include "adapt/common/error.h"

#include <atomic>

#include "adapt/common/predict_time.h"

namespace adapt {
namespace {
// Process-wide rather than per thread: a prediction may encode its inputs on loader threads.
std::atomic<int> predicting{0};
}  // namespace

bool at_predict_time() { return predicting.load() > 0; }
PredictTimeScope::PredictTimeScope() { ++predicting; }
PredictTimeScope::~PredictTimeScope() { --predicting; }

Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;
DataError::~DataError() = default;
OptionError::~OptionError() = default;
PluginError::~PluginError() = default;

}  // namespace adapt
