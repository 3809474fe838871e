#pragma once
// What `adapt serve` measures, by name (docs/serving.md lists every metric), the out-of-domain share
// of each model's predictions (their "in_domain" field) among them, and whether the last window of
// predictions drifted from the export's reference (the tests of `adapt drift` on the label mix and
// the out-of-domain share).
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <adapt/monitor/drift_reference.h>

#include "metrics_registry.h"
#include "sliding_window.h"

namespace adapt::serve {

class ServeMetrics {
 public:
  explicit ServeMetrics(size_t window);

  void request(const std::string& route, int status, double seconds);
  void batch(const std::string& role, size_t n_records);
  // Each prediction's label (a "label" field; "(value)" for outputs without one) by model role.
  void predictions(const std::string& role, const std::vector<nlohmann::json>& predictions);
  void routed(const std::string& role);
  void queue_full(const std::string& role);
  void queue_depth(const std::string& role, size_t depth);
  void shadow(size_t compared, size_t agreed);
  void shadow_failed(const std::string& reason);
  void reload(bool ok);
  // `reference`: the export's drift reference (none: no drift gauges for the role).
  void model_loaded(const std::string& role, const std::string& file, double unix_time,
                    const DriftReference* reference = nullptr);
  // The window is tested against the reference once it holds this many predictions.
  static constexpr size_t kMinDriftWindow = 100;

  std::string render() const;

 private:
  void set_drift_gauges(MetricsRegistry& registry) const;

  mutable MetricsRegistry registry_;  // window gauges are filled in when scraped
  mutable std::mutex loaded_mutex_, render_mutex_;
  std::map<std::string, std::pair<std::string, double>> loaded_;  // role -> file, unix time
  std::map<std::string, DriftReference> references_;              // role -> the export's reference
  std::map<std::string, std::unique_ptr<SlidingWindow>> label_windows_;  // by role, made up front
  std::map<std::string, std::unique_ptr<SlidingWindow>> domain_windows_;  // "in" / "out", by role
  SlidingWindow agreement_window_;
};

// What a prediction is counted and compared as: its label, or its JSON for outputs without one.
std::string prediction_label(const nlohmann::json& prediction);

}  // namespace adapt::serve
