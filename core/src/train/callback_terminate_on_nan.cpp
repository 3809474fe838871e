#include <cmath>

#include "adapt/train/callbacks.h"
#include "adapt/train/learner.h"

namespace adapt {

void TerminateOnNaN::after_loss(Learner& learner) {
  double value = learner.loss().item<double>();
  if (std::isfinite(value)) return;
  learner.fail("terminate on NaN: the training loss is " + std::string(std::isnan(value) ? "NaN" : "infinite") +
               " at epoch " + std::to_string(learner.epoch()) + ", batch " + std::to_string(learner.iteration()) +
               "; lower the learning rate (try lr_find), set train.grad_clip, or check the inputs for "
               "NaN/huge values");
}

}  // namespace adapt
