#pragma once
// check_transform: the Transform contract on real training items (item level) or their batch (batch
// level): apply() draws randomness from the given Rng only (the same stream gives the same result),
// a transform whose result depends on the stream is random and must report on_valid() == false (the
// loader then never runs it on validation, test or prediction data), and p() is a probability.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "adapt/data/data_blocks.h"
#include "adapt/plugin/registry.h"
#include "adapt/recipe/recipe.h"
#include "adapt/testing/check_settings.h"
#include "adapt/testing/compare.h"
#include "adapt/testing/records_util.h"

namespace adapt::testing {

namespace detail {

// Each input copied, then transformed with its own stream Rng(seed).derive(i).
inline std::vector<TensorDict> apply_each(const Transform& transform, const std::vector<TensorDict>& inputs,
                                          uint64_t seed) {
  std::vector<TensorDict> out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    TensorDict data = clone_dict(inputs[i]);
    Rng rng = Rng(seed).derive(i);
    transform.apply(data, rng);
    out.push_back(std::move(data));
  }
  return out;
}

}  // namespace detail

// `spec` is the transform's recipe entry; `blocks` are set up (Transform::setup sees them); `items`
// are training samples as the loader makes them (DataBlocks::encode on Split::train, after the
// recipe's earlier item transforms). Batch-level transforms get the items collated.
inline void check_transform(const Registry& registry, const json& given_spec, const DataBlocks& blocks,
                            const std::vector<Sample>& items, const CheckOptions& options = {}) {
  const json spec = detail::spec_object(given_spec);
  const std::string name = "transform " + spec.value("name", std::string("?"));
  ASSERT_FALSE(items.empty()) << name << ": check_transform needs training items";
  std::shared_ptr<Transform> transform;
  if (!detail::attempt(name, "creation and setup()", [&] {
        transform = registry.transform(component_options(spec), name);
        transform->setup(blocks);
      }))
    return;
  EXPECT_TRUE(transform->p() >= 0.0 && transform->p() <= 1.0) << name << ": p() = " << transform->p()
                                                              << " is not a probability";
  std::vector<TensorDict> inputs = items;
  if (transform->level() == TransformLevel::batch &&
      !detail::attempt(name, "collating the items", [&] { inputs = {blocks.collate(items)}; }))
    return;
  std::vector<std::string> labels;
  for (size_t i = 0; i < inputs.size(); ++i) labels.push_back((inputs.size() == 1 ? "the batch" : "item " + std::to_string(i)));
  std::vector<TensorDict> first, same, other_stream;
  if (!detail::attempt(name, "apply()", [&] {
        first = detail::apply_each(*transform, inputs, options.seed);
        same = detail::apply_each(*transform, inputs, options.seed);
        other_stream = detail::apply_each(*transform, inputs, options.seed + 1);
      }))
    return;
  const std::string d = dicts_difference(first, same, labels);
  EXPECT_TRUE(d.empty()) << name << ": apply() with the same Rng stream gave different results (" << d
                         << "): draw randomness from the given Rng only (rng.generator() for torch), never from "
                            "torch's global generator or std::random_device";
  const std::string r = dicts_difference(first, other_stream, labels);
  if (transform->on_valid()) {
    EXPECT_TRUE(r.empty()) << name << ": is random (two Rng streams gave " << r
                           << ") but on_valid() is true: the loader would apply it to validation, test and prediction "
                              "data; random transforms keep on_valid() == false";
  }
}

}  // namespace adapt::testing
