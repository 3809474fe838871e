// MonitorReference: the out-of-domain scorer and the drift reference, stored and loaded together.
#include "adapt/monitor/monitor_reference.h"

namespace adapt {

json MonitorReference::state() const {
  return {{"out_of_domain", out_of_domain.empty() ? json(nullptr) : out_of_domain.state()}, {"drift", drift.state()}};
}

void MonitorReference::write(torch::serialize::OutputArchive& archive) const {
  out_of_domain.write(archive);
  drift.write(archive);
}

MonitorReference MonitorReference::load(const json& state, torch::serialize::InputArchive& archive,
                                        const std::string& what) {
  if (!state.is_object()) throw Error(what + " is damaged: its \"monitor\" entry is not an object");
  MonitorReference m;
  const json ood = state.value("out_of_domain", json());
  if (!ood.is_null()) m.out_of_domain = OutOfDomainScorer::load(ood, archive, what);
  if (state.contains("drift")) m.drift = DriftReference::load(state["drift"], archive, what);
  return m;
}

}  // namespace adapt
