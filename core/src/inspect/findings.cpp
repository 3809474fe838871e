#include "adapt/inspect/findings.h"

namespace adapt {

std::vector<std::string> InspectReport::warnings() const {
  std::vector<std::string> out;
  for (const auto& f : findings)
    if (f.severity == Severity::warning) out.push_back(f.message);
  return out;
}

json InspectReport::to_json() const {
  json out = sections;
  json list = json::array();
  for (const auto& f : findings)
    list.push_back({{"check", f.check}, {"severity", f.severity == Severity::warning ? "warning" : "note"},
                    {"message", f.message}});
  out["findings"] = list;
  return out;
}

}  // namespace adapt
