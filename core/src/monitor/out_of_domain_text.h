#pragma once
// How an out-of-domain scorer reads in words, from its state (OutOfDomainScorer::state(), as
// metrics.json keeps it): "mahalanobis, energy and typicality: typicality decides". `adapt train`'s
// summary and the run report both say it so.
#include <string>

#include "adapt/common/options.h"

namespace adapt::detail {

// A state of another shape (a hand-edited metrics.json) gives what it can, never an exception.
inline std::string out_of_domain_components(const json& state) {
  if (!state.is_object()) return {};
  const auto names = state.find("components"), combine = state.find("combine");
  if (names == state.end() || !names->is_array()) return {};
  std::string text;
  for (size_t i = 0; i < names->size(); ++i) {
    const json& name = (*names)[i];
    text += (i == 0 ? "" : i + 1 == names->size() ? " and " : ", ") + (name.is_string() ? name.get<std::string>() : name.dump());
  }
  // Exports from before the sum hold no "combine": theirs was the largest.
  const std::string how = combine != state.end() && combine->is_string() ? combine->get<std::string>() : "largest";
  if (names->size() > 1)
    text += how == "typicality" ? ": typicality decides (the others reported)" : how == "sum" ? ", summed" : ", the largest";
  return text;
}

}  // namespace adapt::detail
