#pragma once
// Model: a torch::nn::Module whose forward takes the whole batch, so models choose their inputs by
// key ("x", "x.mask", "x.cat", ...). Built by a factory that sizes it from the fitted blocks.
#include <torch/nn/module.h>

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
  // One fixed-width vector per sample ([N, D]), e.g. a mean-pooled encoder state, for
  // `adapt embed`. The default throws: a model without an embedding says so.
  virtual torch::Tensor embed(const Batch& batch);
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
