#include "adapt/train/callbacks.h"
#include "adapt/train/learner.h"

namespace adapt {

void CheckpointCallback::before_fit(Learner&) {
  if (every_epochs_ < 0 || every_minutes_ < 0)
    throw OptionError("checkpoint: every_epochs and every_minutes must be >= 0");
  last_ = std::chrono::steady_clock::now();
}

void CheckpointCallback::after_epoch(Learner& learner) {
  bool by_epoch = every_epochs_ > 0 && (learner.epoch() + 1) % every_epochs_ == 0;
  bool by_time = every_minutes_ > 0 &&
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >= every_minutes_ * 60;
  if (!by_epoch && !by_time) return;
  learner.save_checkpoint(file());
  last_ = std::chrono::steady_clock::now();
}

}  // namespace adapt
