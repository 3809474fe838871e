#pragma once
// What an audit found: findings (a warning to act on, or a note to know) and the measured sections
// they come from (column profiles, drift per column, groups per split, label issues), as JSON.
#include <string>
#include <vector>

#include "adapt/common/options.h"

namespace adapt {

enum class Severity { warning, note };

struct Finding {
  std::string check;  // "duplicate_rows", "drift", "single_column_leakage", ...
  Severity severity = Severity::warning;
  std::string message;
};

struct InspectReport {
  json sections = json::object();  // one entry per check family ("integrity", "splits", ...)
  std::vector<Finding> findings;

  void warn(const std::string& check, std::string message) {
    findings.push_back({check, Severity::warning, std::move(message)});
  }
  void note(const std::string& check, std::string message) {
    findings.push_back({check, Severity::note, std::move(message)});
  }
  // The warnings' messages, in the order found (what `adapt train` prints).
  std::vector<std::string> warnings() const;
  // {"findings": [{"check", "severity", "message"}...], sections...}
  json to_json() const;
};

}  // namespace adapt
