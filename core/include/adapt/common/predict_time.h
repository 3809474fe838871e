#pragma once
// Whether the process is predicting from an export. An error met there suggests what the user can
// change (the input), not recipe options that only a new training run could change.
#include "adapt/common/error.h"

namespace adapt {

ADAPT_API bool at_predict_time();

// Marks the process as predicting while it lives (Predictor sets it around reading and encoding its
// inputs, which loader threads may share).
class ADAPT_API PredictTimeScope {
 public:
  PredictTimeScope();
  ~PredictTimeScope();
  PredictTimeScope(const PredictTimeScope&) = delete;
  PredictTimeScope& operator=(const PredictTimeScope&) = delete;
};

}  // namespace adapt
