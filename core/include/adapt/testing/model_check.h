#pragma once
// check_model: a model built from the set-up blocks, as a recipe builds it, fits its target block:
// forward() on a validation batch gives [batch, n_outputs] (or [batch, ..., n_outputs] for sequence
// targets, [batch] when n_outputs is 1), the target's loss accepts it with one finite value per item,
// the target decodes a row of it, eval-mode forward() is deterministic, and every trainable parameter
// is in exactly one of layer_groups() (the optimizer trains only those).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>

#include "adapt/data/data_blocks.h"
#include "adapt/model/losses.h"
#include "adapt/plugin/registry.h"
#include "adapt/recipe/recipe.h"
#include "adapt/testing/compare.h"
#include "adapt/testing/records_util.h"

namespace adapt::testing {

namespace detail {

inline void check_output_shape(const std::string& name, const torch::Tensor& out, const Block& target,
                               const torch::Tensor& y) {
  const int64_t batch = y.size(0), n_outputs = target.n_outputs();
  const bool rows_ok = out.dim() >= 1 && out.size(0) == batch;
  const bool width_ok = out.dim() >= 2 ? out.size(-1) == n_outputs : n_outputs == 1;
  EXPECT_TRUE(rows_ok && width_ok) << name << ": forward() gave " << shape_text(out) << " for a batch of " << batch
                                   << " but the target block needs [" << batch << ", " << n_outputs
                                   << "] (n_outputs() of the target)";
}

inline void check_layer_groups(const std::string& name, Model& model) {
  std::map<const void*, int> groups_of;
  for (const auto& group : model.layer_groups())
    for (const auto& p : group) ++groups_of[p.unsafeGetTensorImpl()];
  for (const auto& p : model.named_parameters()) {
    if (!p.value().requires_grad()) continue;
    const int n = groups_of[p.value().unsafeGetTensorImpl()];
    EXPECT_EQ(n, 1) << name << ": parameter \"" << p.key() << "\" is in " << n
                    << " layer groups; each trainable parameter belongs to exactly one (the optimizer and "
                       "freezing use layer_groups())";
  }
}

// A model with embedding_width() > 0 serves as an encoder (core.fusion): embed() must give [batch, width].
inline void check_embedding(const std::string& name, Model& model, const Batch& batch, int64_t rows) {
  const int64_t width = model.embedding_width();
  if (width < 1) return;
  torch::Tensor e;
  if (!attempt(name, "embed() (embedding_width() is " + std::to_string(width) + ")", [&] { e = model.embed(batch); })) return;
  EXPECT_TRUE(e.dim() == 2 && e.size(0) == rows && e.size(1) == width)
      << name << ": embed() gave " << shape_text(e) << " but embedding_width() is " << width << " for a batch of " << rows
      << "; core.fusion reads [batch, embedding_width()]";
}

}  // namespace detail

// `spec` is the model's recipe entry (init_from is ignored); `blocks` are set up; `batch` is a
// collated validation batch with the target under its key. `loss` is the recipe's loss, or null for
// the target block's default.
inline void check_model(const Registry& registry, const json& given_spec, const DataBlocks& blocks, const Batch& batch,
                        std::shared_ptr<Loss> loss = nullptr) {
  const json spec = detail::spec_object(given_spec);
  const std::string name = "model " + spec.value("name", std::string("?"));
  const Block& target = *blocks.target().block;
  std::shared_ptr<Model> model;
  if (!detail::attempt(name, "creation", [&] {
        model = registry.model(component_options(spec), name, ModelContext{blocks, target.n_outputs()});
      }))
    return;
  if (!loss && !detail::attempt(name, "make_loss(\"" + target.loss() + "\")", [&] { loss = make_loss(target.loss()); }))
    return;
  detail::check_layer_groups(name, *model);
  torch::NoGradGuard no_grad;
  model->eval();
  torch::Tensor out, again;
  if (!detail::attempt(name, "forward() in eval mode", [&] { out = model->forward(batch), again = model->forward(batch); }))
    return;
  const std::string d = tensor_difference(out, again);
  EXPECT_TRUE(d.empty()) << name << ": two eval-mode forward() calls on one batch differ (" << d
                         << "): dropout or other randomness must be off in eval mode";
  const torch::Tensor& y = get(batch, blocks.target().key);
  detail::check_output_shape(name, out, target, y);
  torch::Tensor per_item;
  if (!detail::attempt(name, "the target's loss on forward()'s output", [&] { per_item = loss->per_item(out, y); }))
    return;
  EXPECT_TRUE(per_item.dim() == 1 && per_item.size(0) == y.size(0))
      << name << ": per-item loss has shape " << shape_text(per_item) << ", expected [" << y.size(0) << "]";
  EXPECT_TRUE(torch::isfinite(per_item).all().item<bool>()) << name << ": the loss of an untrained model is not finite";
  detail::attempt(name, "the target block's decode() of an output row", [&] { target.decode(out[0]); });
  detail::check_embedding(name, *model, batch, y.size(0));
}

// A model refuses, with an OptionError that names the budget, sizes beyond the parameter budget: it is
// built once more with ADAPT_MAX_MODEL_BYTES at 16 bytes (one parameter), which no model fits.
inline void check_model_budget(const Registry& registry, const json& given_spec, const DataBlocks& blocks) {
  const json spec = detail::spec_object(given_spec);
  const std::string name = "model " + spec.value("name", std::string("?"));
  const char* before = std::getenv("ADAPT_MAX_MODEL_BYTES");
  const std::string saved = before ? before : "";
  ::setenv("ADAPT_MAX_MODEL_BYTES", "16", 1);
  std::string refusal;
  try {
    registry.model(component_options(spec), name, ModelContext{blocks, blocks.target().block->n_outputs()});
  } catch (const OptionError& e) {
    refusal = e.what();
  } catch (const std::exception& e) {
    refusal = std::string("not an OptionError: ") + e.what();
  }
  if (before) ::setenv("ADAPT_MAX_MODEL_BYTES", saved.c_str(), 1); else ::unsetenv("ADAPT_MAX_MODEL_BYTES");
  EXPECT_NE(refusal.find("ADAPT_MAX_MODEL_BYTES"), std::string::npos)
      << name << ": under a 16-byte parameter budget it was "
      << (refusal.empty() ? std::string("built") : "refused with \"" + refusal + "\"")
      << "; call adapt::check_parameter_budget (adapt/model/parameter_budget.h) with the parameter count the "
         "options imply before allocating, so a recipe too large for the machine is refused with its JSON path";
}

}  // namespace adapt::testing
