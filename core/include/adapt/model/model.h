#pragma once
// Model: a torch::nn::Module whose forward takes the whole batch, so models choose their inputs by
// key ("x", "x.mask", "x.cat", ...). Built by a factory that sizes it from the fitted blocks.
#include <torch/nn/module.h>

#include <utility>
#include <vector>

#include "adapt/common/error.h"
#include "adapt/common/options.h"
#include "adapt/common/tensor_dict.h"

namespace adapt {

class DataBlocks;

class ADAPT_API Model : public torch::nn::Module {
 public:
  ~Model() override;
  virtual torch::Tensor forward(const Batch& batch) = 0;
  // Parameter groups from body to head, for freeze/unfreeze and discriminative learning rates.
  // The default is one group holding every parameter.
  virtual std::vector<std::vector<torch::Tensor>> layer_groups();
  // Named submodule whose weights can move between models (e.g. "encoder" for ULMFiT fine-tuning);
  // nullptr when the model has none of that name.
  virtual std::shared_ptr<torch::nn::Module> part(const std::string& name);
  // One fixed-width vector per sample ([N, D]): a pooled representation of the inputs (most models:
  // what their head reads), for `adapt embed` and as a core.fusion branch. The default throws.
  virtual torch::Tensor embed(const Batch& batch);
  // D of embed(), known once the model is built; 0 (the default) when the model has no embedding and so
  // cannot serve as an encoder.
  virtual int64_t embedding_width() const { return 0; }
  // forward() computed from embed()'s result, for a model whose forward() is a head on embed(); such a
  // model overrides it (and makes forward() call it), so that forward_and_embed runs its body once.
  // Undefined (the default): forward() does not read embed().
  virtual torch::Tensor forward_from_embedding(const torch::Tensor& embedding);
  // {forward(batch), embed(batch)}: what prediction with out-of-domain scores needs, in one pass of the
  // body where the model offers forward_from_embedding. A model whose head and embedding read the same
  // body differently (protein models pool residues for the embedding, every position for the head)
  // overrides it to run that body once.
  virtual std::pair<torch::Tensor, torch::Tensor> forward_and_embed(const Batch& batch);
  // The layer groups embed() depends on, body to top, without the head: what a fusion branch trains.
  // The default is layer_groups() less its last group (the head).
  virtual std::vector<std::vector<torch::Tensor>> encoder_layer_groups();
  // One learning-rate factor per layer group (empty: 1 for all); the Learner multiplies each group's
  // rate by it (core.fusion's per-branch lr_mult).
  virtual std::vector<double> lr_multipliers() { return {}; }
  // Independently trained members (core.ensemble): in training mode forward() returns their
  // outputs stacked on a new first dimension [members, ...], and the Learner averages the members'
  // losses, so each learns from its own errors; in eval mode forward() returns their mean.
  virtual int64_t members() const { return 1; }
};

// What a model factory sees: the fitted blocks (their dims()) and the target's output width.
class Registry;

struct ModelContext {
  const DataBlocks& blocks;
  int64_t n_outputs;
  const Registry* registry = nullptr;  // set by Registry::model: models made of models build them
  json input_dims(const std::string& key = "x") const;
};

}  // namespace adapt
