#pragma once
// Optimizers with fastai's conventions: parameter groups with their own hyper-parameters, momentum
// set by the schedule (one-cycle moves `mom`), decoupled weight decay (p *= 1 - lr * wd), and no
// decay on biases and normalisation weights. Sparse gradients (nn::Embedding(sparse=true)) update
// only the rows present in the batch, so a step costs O(batch), not O(table).
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "adapt/common/error.h"
#include "adapt/common/tensor_dict.h"

namespace torch {
namespace nn {
class Module;
}
namespace serialize {
class OutputArchive;
class InputArchive;
}  // namespace serialize
}  // namespace torch

namespace adapt {

struct HyperParams {
  double lr = 1e-3;
  double mom = 0.9;       // AdamW beta1; SGD momentum (0 = plain SGD)
  double sqr_mom = 0.99;  // AdamW beta2
  double eps = 1e-5;
  double wd = 0.01;       // decoupled weight decay
};

// fastai's defaults: "adamw" -> lr 1e-3, betas (0.9, 0.99), eps 1e-5, wd 0.01;
// "sgd" -> lr 1e-2, momentum 0.9, wd 0. Unknown names are an OptionError listing the known ones.
ADAPT_API HyperParams default_hyper_params(const std::string& optimizer);

struct ParamGroup {
  std::vector<torch::Tensor> params;
  HyperParams hp;
  int64_t layer_group = 0;  // the model layer group it came from (discriminative lrs, freezing)
  bool decay = true;        // false: wd is ignored for this group (biases, norm weights)
};

// Splits each layer group's parameters into a decaying group (weights with 2+ dims) and a
// non-decaying one (1-D: biases, BatchNorm/LayerNorm weights), fastai's wd_bn_bias=False.
// Result order: [lg0 decay, lg0 no-decay, lg1 decay, ...]; empty groups are left out. Every group
// starts with `hp`.
ADAPT_API std::vector<ParamGroup> split_no_decay(const std::vector<std::vector<torch::Tensor>>& layer_groups,
                                                 const HyperParams& hp);

class ADAPT_API Optimizer {
 public:
  explicit Optimizer(std::vector<ParamGroup> groups);
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual std::string name() const = 0;
  // One update of every parameter that has a gradient (others, e.g. frozen, are skipped).
  virtual void step() = 0;
  // set_to_none frees the gradients (PyTorch's default); otherwise they are zeroed in place.
  void zero_grad(bool set_to_none = true);

  size_t n_groups() const { return groups_.size(); }
  const ParamGroup& group(size_t index) const;
  std::vector<ParamGroup>& groups() { return groups_; }
  void set_lr(size_t group, double lr);
  void set_lr(double lr);  // every group
  // Each group gets lrs[group.layer_group] (discriminative learning rates from spread_lrs).
  void set_layer_group_lrs(const std::vector<double>& lrs);
  void set_mom(size_t group, double mom);
  void set_mom(double mom);  // every group
  void set_wd(double wd);    // every group (groups with decay=false still get none)

  // Per-parameter state and hyper-parameters for checkpoints and resume. Keys: "g<i>.lr", ...,
  // "g<i>.p<j>.<state>" (e.g. exp_avg, exp_avg_sq, step, momentum_buffer).
  virtual TensorDict state_dict() const;
  // Restores a state_dict of an optimizer of the same kind over the same parameter shapes; a
  // mismatch is an adapt::Error naming the key, the shapes and what to do.
  virtual void load_state_dict(const TensorDict& state);
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 protected:
  // Named state tensors of one parameter (created lazily on its first step).
  struct ParamState {
    int64_t step = 0;
    TensorDict buffers;
  };
  ParamState& state(size_t group, size_t param) { return state_[group][param]; }
  std::vector<ParamGroup> groups_;
  std::vector<std::vector<ParamState>> state_;
};

// AdamW, fastai's form: p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps). Sparse gradients: lazy, like
// torch.optim.SparseAdam, on the rows present only (including their weight decay), with the
// parameter's step count for bias correction. Float32 contiguous CPU tensors use a fused kernel.
//
// row_wise_sparse (recipe optimizer "rowwise_adamw"): for sparse-gradient tables, FBGEMM/DLRM's
// row-wise variant instead: no first moment and ONE second-moment value per row (the mean squared
// gradient of the row), so the state is rows x 4 bytes rather than 2 x rows x width x 4:
//   v[r] = b2 v[r] + (1 - b2) mean(g[r]^2);  p[r] *= 1 - lr wd;  p[r] -= lr g[r] / (sqrt(v[r] / (1 - b2^t)) + eps)
// Dense parameters keep plain AdamW.
struct AdamWOptions {
  bool row_wise_sparse = false;
};

class ADAPT_API AdamW : public Optimizer {
 public:
  explicit AdamW(std::vector<ParamGroup> groups, AdamWOptions options = {})
      : Optimizer(std::move(groups)), options_(options) {}
  std::string name() const override { return options_.row_wise_sparse ? "rowwise_adamw" : "adamw"; }
  void step() override;

 private:
  AdamWOptions options_;
};

// SGD with momentum (fastai/PyTorch form without dampening): p *= 1 - lr*wd; b = mom b + g;
// p -= lr b (b = g when mom is 0). Sparse gradients update the present rows only.
class ADAPT_API SGD : public Optimizer {
 public:
  using Optimizer::Optimizer;
  std::string name() const override { return "sgd"; }
  void step() override;
};

// "adamw", "rowwise_adamw" or "sgd"; unknown names are an OptionError listing the known ones.
ADAPT_API std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<ParamGroup> groups);

}  // namespace adapt
