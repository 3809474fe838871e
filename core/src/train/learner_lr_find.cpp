// lr_find: an exponential learning-rate sweep on training batches (fastai's LRFinder). Everything it
// changes is put back afterwards: weights, optimizer state and hyper-parameters, the torch RNG.
#include <torch/nn/utils/clip_grad.h>
#include <torch/utils.h>

#include "adapt/data/data_loader.h"
#include "adapt/train/checkpoint.h"
#include "adapt/train/learner.h"
#include "adapt/train/optimizer.h"

namespace adapt {

LrFindResult Learner::lr_find(double start_lr, double end_lr, int64_t iterations) {
  if (!(start_lr > 0) || !(end_lr > start_lr))
    throw OptionError("lr_find: needs 0 < start_lr < end_lr, got " + std::to_string(start_lr) + " and " +
                      std::to_string(end_lr));
  if (iterations < 2) throw OptionError("lr_find: iterations must be >= 2, got " + std::to_string(iterations));
  if (!loaders_.train || loaders_.train->num_batches() == 0) throw Error("lr_find: no training batches");

  // Save what the sweep changes.
  std::vector<torch::Tensor> saved;
  {
    torch::NoGradGuard no_grad;
    for (const auto& p : model_->parameters()) saved.push_back(p.detach().clone());
    for (const auto& b : model_->buffers()) saved.push_back(b.detach().clone());
  }
  TensorDict optimizer_state;
  for (const auto& [key, value] : optimizer_->state_dict()) optimizer_state[key] = value.clone();
  auto groups = optimizer_->groups();
  torch::Tensor rng = torch_rng_state();

  ExponentialSchedule schedule(start_lr, end_lr, iterations);
  LrFindRecorder recorder(iterations);
  auto restore = [&] {
    torch::NoGradGuard no_grad;
    size_t i = 0;
    for (auto& p : model_->parameters()) p.copy_(saved[i++]);
    for (auto& b : model_->buffers()) b.copy_(saved[i++]);
    optimizer_ = make_optimizer(optimizer_->name(), groups);
    optimizer_->load_state_dict(optimizer_state);
    set_torch_rng_state(rng);
    model_->train(false);
  };

  try {
    model_->train(true);
    auto& train = *loaders_.train;
    const auto& key = blocks_->target().key;
    bool done = false;
    for (int64_t epoch = 0; !done; ++epoch) {
      train.set_epoch(epoch);
      train.start_epoch();
      while (auto batch = train.next()) {
        double lr = schedule.lr(static_cast<int64_t>(recorder.lrs().size()));
        optimizer_->set_lr(lr);
        auto out = model_->forward(*batch);
        auto loss = training_loss(out, get(*batch, key));
        double value = loss.item<double>();
        if (recorder.add(lr, value)) {
          done = true;
          break;
        }
        loss.backward();
        if (options_.grad_clip() > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), options_.grad_clip());
        optimizer_->step();
        optimizer_->zero_grad();
      }
    }
  } catch (...) {
    restore();
    throw;
  }
  restore();

  LrFindResult result;
  result.lrs = recorder.lrs();
  result.losses = recorder.losses();
  result.suggestion = suggest_lr(result.lrs, result.losses, iterations).valley;
  return result;
}

}  // namespace adapt
