#pragma once
// Counters, gauges and histograms with labels, rendered in the Prometheus text format (0.0.4) for
// GET /metrics. One mutex: a request touches it a few times, far below a prediction's cost.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace adapt::serve {

using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
 public:
  void add_counter(const std::string& name, const std::string& help);
  void add_gauge(const std::string& name, const std::string& help);
  void add_histogram(const std::string& name, const std::string& help, std::vector<double> upper_bounds);

  void increment(const std::string& name, const Labels& labels = {}, double by = 1.0);
  void set(const std::string& name, const Labels& labels, double value);
  void observe(const std::string& name, const Labels& labels, double value);
  // Drops every series of a gauge (e.g. shares over a window whose labels come and go).
  void clear(const std::string& name);

  std::string render() const;

 private:
  enum class Type { counter, gauge, histogram };
  struct Series {
    double value = 0.0;               // counter, gauge; histogram: sum
    std::vector<uint64_t> buckets;    // histogram: count per upper bound (not cumulative)
    uint64_t count = 0;               // histogram
  };
  struct Family {
    Type type = Type::counter;
    std::string help;
    std::vector<double> upper_bounds;
    std::map<std::string, Series> series;  // by rendered label set
  };
  Family& family(const std::string& name, Type type);
  void add(const std::string& name, Type type, const std::string& help, std::vector<double> bounds);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// {a="x",b="y"} with Prometheus escaping; "" for no labels.
std::string render_labels(const Labels& labels);

}  // namespace adapt::serve
