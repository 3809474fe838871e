#pragma once
// Shared by the first-party conformance suites: the build's plugin directory, where every
// first-party plugin is loaded from through the real plugin host, and a few recipe edits.
#include <adapt/testing/conformance.h>

#include <string>

namespace conformance_test {

using adapt::json;

inline adapt::testing::Conformance first_party(const std::string& plugin) {
  return adapt::testing::Conformance(plugin, {ADAPT_CONFORMANCE_PLUGIN_DIR});
}

// The recipe with another model.
inline adapt::testing::RecipeVariant with_model(const std::string& label, json model) {
  return {label, [model](json recipe) {
            recipe["model"] = model;
            return recipe;
          }};
}

// The recipe with these transforms (instead of its own).
inline adapt::testing::RecipeVariant with_transforms(const std::string& label, json transforms) {
  return {label, [transforms](json recipe) {
            recipe["transforms"] = transforms;
            return recipe;
          }};
}

// The recipe whose first input block is replaced.
inline adapt::testing::RecipeVariant with_input(const std::string& label, json block) {
  return {label, [block](json recipe) {
            recipe["inputs"][0] = block;
            return recipe;
          }};
}

}  // namespace conformance_test
