#pragma once
// What an export keeps to watch its model in use: the out-of-domain scorer (a score and an
// in-domain flag per prediction) and the drift reference (`adapt drift`). Either may be empty: a
// model without pooled features or class logits has no scorer, an export made before them has neither.
#include "adapt/monitor/drift_reference.h"
#include "adapt/monitor/out_of_domain.h"

namespace adapt {

struct ADAPT_API MonitorReference {
  OutOfDomainScorer out_of_domain;
  DriftReference drift;

  bool empty() const { return out_of_domain.empty() && drift.empty(); }
  // {"out_of_domain": state or null, "drift": state}
  json state() const;
  void write(torch::serialize::OutputArchive& archive) const;
  static MonitorReference load(const json& state, torch::serialize::InputArchive& archive, const std::string& what);
};

}  // namespace adapt
