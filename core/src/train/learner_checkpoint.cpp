// Resumable checkpoints: model, optimizer (moments, step counts, hyper-parameters), where the fit is
// (epochs done, batches per epoch), the torch RNG state and every callback's state. A run resumed from
// the checkpoint of epoch k ends with the same weights as an uninterrupted one: data order and
// augmentation derive from (seed, epoch, batch) and need no state of their own.
#include "adapt/common/version.h"
#include "adapt/data/data_loader.h"
#include "adapt/train/checkpoint.h"
#include "adapt/train/learner.h"
#include "adapt/train/optimizer.h"

namespace adapt {

namespace {
constexpr int kCheckpointFormat = 1;
}

void Learner::save_checkpoint(const std::filesystem::path& file) const {
  torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
  write_module_state(model_archive, *model_);
  optimizer_->save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("rng", torch_rng_state(), true);
  json callbacks = json::object();
  for (const auto& cb : callbacks_) {
    json state = cb->state();
    if (!state.empty()) callbacks[cb->name()] = std::move(state);
  }
  // Called from after_epoch: epoch_ is finished, so the next run starts at epoch_ + 1.
  int64_t done = training_ || n_epochs_ == 0 ? epoch_ : epoch_ + 1;
  json meta = {{"format", "adapt-checkpoint"},      {"format_version", kCheckpointFormat},
               {"adapt_version", version()},       {"fingerprint", build_fingerprint()},
               {"epochs_done", done},              {"n_epochs", n_epochs_},
               {"n_iterations", n_iterations_},    {"optimizer", optimizer_->name()},
               {"callbacks", callbacks},           {"extra", checkpoint_extra_}};
  write_json(archive, "meta", meta);
  save_archive(archive, file);
}

void Learner::load_checkpoint(const std::filesystem::path& file) {
  const std::string what = "checkpoint " + file.string();
  torch::serialize::InputArchive archive;
  load_archive(archive, file, "checkpoint");
  json meta = read_json(archive, "meta", what);
  if (meta.value("format", "") != "adapt-checkpoint" || meta.value("format_version", 0) != kCheckpointFormat)
    throw Error(what + ": not an adapt checkpoint of format " + std::to_string(kCheckpointFormat) +
                " (found " + meta.value("format", std::string("?")) + " " + meta["format_version"].dump() + ")");
  if (meta.value("optimizer", "") != optimizer_->name())
    throw Error(what + ": was written with optimizer \"" + meta.value("optimizer", std::string()) +
                "\" but this learner uses \"" + optimizer_->name() + "\"; resume with the same train options");
  if (loaders_.train && meta.value("n_iterations", int64_t{0}) != static_cast<int64_t>(loaders_.train->num_batches()))
    throw Error(what + ": was written with " + meta["n_iterations"].dump() + " batches per epoch but the loader now has " +
                std::to_string(loaders_.train->num_batches()) + "; resume with the same data, split and batch_size");
  torch::serialize::InputArchive model_archive, optimizer_archive;
  archive.read("model", model_archive);
  read_module_state(model_archive, *model_, what);
  archive.read("optimizer", optimizer_archive);
  optimizer_->load(optimizer_archive);
  torch::Tensor rng;
  archive.read("rng", rng, true);
  set_torch_rng_state(rng);
  const json& states = meta["callbacks"];
  for (const auto& cb : callbacks_)
    if (states.contains(cb->name())) cb->load_state(states[cb->name()]);
  checkpoint_extra_ = meta.value("extra", json::object());
  start_epoch_ = meta.value("epochs_done", int64_t{0});
}

void Learner::save_weights(const std::filesystem::path& file) const {
  torch::serialize::OutputArchive archive;
  write_module_state(archive, *model_);
  save_archive(archive, file);
}

void Learner::load_weights(const std::filesystem::path& file) {
  torch::serialize::InputArchive archive;
  load_archive(archive, file, "weights");
  read_module_state(archive, *model_, "weights " + file.string());
}

}  // namespace adapt
