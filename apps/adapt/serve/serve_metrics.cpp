#include "serve_metrics.h"

namespace adapt::serve {

std::string prediction_label(const nlohmann::json& prediction) {
  if (prediction.is_object() && prediction.contains("label") && prediction["label"].is_string())
    return prediction["label"].get<std::string>();
  return "(value)";
}

ServeMetrics::ServeMetrics(size_t window) : agreement_window_(window) {
  registry_.add_counter("adapt_serve_requests_total", "HTTP requests answered, by route and status code");
  registry_.add_histogram("adapt_serve_request_duration_seconds",
                          "Time from the request's arrival to its answer, by route",
                          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  registry_.add_histogram("adapt_serve_batch_size", "Records predicted together, by model role",
                          {1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
  registry_.add_counter("adapt_serve_predictions_total", "Predictions made, by model role and predicted label");
  registry_.add_gauge("adapt_serve_predicted_label_share",
                      "Share of each predicted label among the model's last predictions (the window)");
  registry_.add_gauge("adapt_serve_window_predictions", "Predictions the label-share window holds now");
  registry_.add_counter("adapt_serve_routed_total", "Predict requests answered by each model role");
  registry_.add_counter("adapt_serve_queue_rejections_total", "Requests refused with 503: the model's queue was full");
  registry_.add_gauge("adapt_serve_queue_depth", "Requests waiting for a batch, by model role");
  registry_.add_counter("adapt_serve_shadow_compared_total", "Predictions compared between model and shadow");
  registry_.add_counter("adapt_serve_shadow_agreed_total", "Compared predictions with the same label");
  registry_.add_gauge("adapt_serve_shadow_agreement_ratio", "Share of agreeing predictions over the last window");
  registry_.add_counter("adapt_serve_shadow_failures_total",
                        "Shadowed requests without a comparison, by reason (queue_full, input, model)");
  registry_.add_counter("adapt_serve_reloads_total", "Reloads (SIGHUP, POST /admin/reload) by result");
  registry_.add_gauge("adapt_serve_model_loaded_timestamp_seconds",
                      "When the served export was loaded, by role and file");
  registry_.add_counter("adapt_serve_out_of_domain_total",
                        "Predictions by model role and in_domain (true/false), for exports with a scorer");
  registry_.add_gauge("adapt_serve_out_of_domain_share",
                      "Share of the model's last predictions flagged out of domain (the window)");
  registry_.add_gauge("adapt_serve_drift_p_value",
                      "p-value of the last window of predictions against the export's reference, by test "
                      "(predicted_labels, out_of_domain_share)");
  registry_.add_gauge("adapt_serve_drift",
                      "1 when a drift test on the last window falls below 0.01 / the number of tests (Bonferroni)");
  for (const char* role : {"model", "candidate"}) {
    label_windows_[role] = std::make_unique<SlidingWindow>(window);
    domain_windows_[role] = std::make_unique<SlidingWindow>(window);
  }
}

void ServeMetrics::request(const std::string& route, int status, double seconds) {
  registry_.increment("adapt_serve_requests_total", {{"route", route}, {"code", std::to_string(status)}});
  registry_.observe("adapt_serve_request_duration_seconds", {{"route", route}}, seconds);
}

void ServeMetrics::batch(const std::string& role, size_t n_records) {
  registry_.observe("adapt_serve_batch_size", {{"model", role}}, static_cast<double>(n_records));
}

void ServeMetrics::predictions(const std::string& role, const std::vector<nlohmann::json>& predictions) {
  SlidingWindow& window = *label_windows_.at(role);
  for (const auto& p : predictions) {
    const std::string label = prediction_label(p);
    registry_.increment("adapt_serve_predictions_total", {{"model", role}, {"label", label}});
    window.add(label);
    if (p.is_object() && p.contains("in_domain") && p["in_domain"].is_boolean()) {
      const bool in = p["in_domain"].get<bool>();
      registry_.increment("adapt_serve_out_of_domain_total", {{"model", role}, {"in_domain", in ? "true" : "false"}});
      domain_windows_.at(role)->add(in ? "in" : "out");
    }
  }
}

void ServeMetrics::routed(const std::string& role) {
  registry_.increment("adapt_serve_routed_total", {{"model", role}});
}

void ServeMetrics::queue_full(const std::string& role) {
  registry_.increment("adapt_serve_queue_rejections_total", {{"model", role}});
}

void ServeMetrics::queue_depth(const std::string& role, size_t depth) {
  registry_.set("adapt_serve_queue_depth", {{"model", role}}, static_cast<double>(depth));
}

void ServeMetrics::shadow(size_t compared, size_t agreed) {
  registry_.increment("adapt_serve_shadow_compared_total", {}, static_cast<double>(compared));
  registry_.increment("adapt_serve_shadow_agreed_total", {}, static_cast<double>(agreed));
  for (size_t i = 0; i < compared; ++i) agreement_window_.add(i < agreed ? "agree" : "differ");
}

void ServeMetrics::shadow_failed(const std::string& reason) {
  registry_.increment("adapt_serve_shadow_failures_total", {{"reason", reason}});
}

void ServeMetrics::reload(bool ok) {
  registry_.increment("adapt_serve_reloads_total", {{"result", ok ? "ok" : "failed"}});
}

void ServeMetrics::model_loaded(const std::string& role, const std::string& file, double unix_time,
                                const DriftReference* reference) {
  std::lock_guard<std::mutex> lock(loaded_mutex_);
  if (file.empty()) loaded_.erase(role);
  else loaded_[role] = {file, unix_time};
  if (reference && !reference->empty()) references_[role] = *reference;
  else references_.erase(role);
}

// The window's label mix and out-of-domain flags against the reference, as `adapt drift` tests them.
void ServeMetrics::set_drift_gauges(MetricsRegistry& registry) const {
  std::lock_guard<std::mutex> lock(loaded_mutex_);
  for (const auto& [role, reference] : references_) {
    const SlidingWindow& labels = *label_windows_.at(role);
    if (labels.size() < kMinDriftWindow) continue;
    DriftSample sample;
    sample.labels = labels.counts();
    sample.labels.erase("(value)");  // outputs without a label
    const auto flags = domain_windows_.at(role)->counts();
    sample.out_of_domain = flags.count("out") ? flags.at("out") : 0;
    sample.scored = sample.out_of_domain + (flags.count("in") ? flags.at("in") : 0);
    const json report = reference.compare(sample);
    if (report["tests"].empty()) continue;
    for (const auto& t : report["tests"])
      registry.set("adapt_serve_drift_p_value", {{"model", role}, {"test", t["test"].get<std::string>()}},
                   t["p_value"].get<double>());
    registry.set("adapt_serve_drift", {{"model", role}}, report["drift"].get<bool>() ? 1.0 : 0.0);
  }
}

// The window gauges are computed when scraped: shares change with every prediction.
std::string ServeMetrics::render() const {
  std::lock_guard<std::mutex> render_lock(render_mutex_);  // one scrape rebuilds the window gauges at a time
  MetricsRegistry& registry = registry_;
  registry.clear("adapt_serve_predicted_label_share");
  registry.clear("adapt_serve_model_loaded_timestamp_seconds");
  registry.clear("adapt_serve_drift_p_value");
  registry.clear("adapt_serve_drift");
  set_drift_gauges(registry);
  {
    std::lock_guard<std::mutex> lock(loaded_mutex_);
    for (const auto& [role, loaded] : loaded_)
      registry.set("adapt_serve_model_loaded_timestamp_seconds", {{"model", role}, {"file", loaded.first}},
                   loaded.second);
  }
  for (const auto& [role, window] : label_windows_) {
    if (window->size() == 0) continue;
    registry.set("adapt_serve_window_predictions", {{"model", role}}, static_cast<double>(window->size()));
    for (const auto& [label, share] : window->shares())
      registry.set("adapt_serve_predicted_label_share", {{"model", role}, {"label", label}}, share);
  }
  for (const auto& [role, window] : domain_windows_) {
    if (window->size() == 0) continue;
    const auto shares = window->shares();
    registry.set("adapt_serve_out_of_domain_share", {{"model", role}}, shares.count("out") ? shares.at("out") : 0.0);
  }
  if (agreement_window_.size() > 0) {
    const auto shares = agreement_window_.shares();
    registry.set("adapt_serve_shadow_agreement_ratio", {}, shares.count("agree") ? shares.at("agree") : 0.0);
  }
  return registry.render();
}

}  // namespace adapt::serve
