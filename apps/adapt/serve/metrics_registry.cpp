#include "metrics_registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace adapt::serve {
namespace {

std::string escape_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;  // shortest exact form
  return std::string(buffer, end);
}

// The label set with one more label appended (the histogram's "le").
std::string with_label(const std::string& rendered, const std::string& name, const std::string& value) {
  const std::string extra = name + "=\"" + value + "\"";
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i)
    out += (i ? "," : "") + labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
  return out + "}";
}

void MetricsRegistry::add(const std::string& name, Type type, const std::string& help, std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family& f = families_[name];
  f.type = type;
  f.help = help;
  std::sort(bounds.begin(), bounds.end());
  f.upper_bounds = std::move(bounds);
}

void MetricsRegistry::add_counter(const std::string& name, const std::string& help) {
  add(name, Type::counter, help, {});
}
void MetricsRegistry::add_gauge(const std::string& name, const std::string& help) { add(name, Type::gauge, help, {}); }
void MetricsRegistry::add_histogram(const std::string& name, const std::string& help, std::vector<double> bounds) {
  add(name, Type::histogram, help, std::move(bounds));
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, Type type) {
  auto it = families_.find(name);
  // A metric used before it is declared, or as another type, is a bug in the server, not input.
  if (it == families_.end() || it->second.type != type)
    throw std::logic_error("metrics: " + name + " is not declared with this type");
  return it->second;
}

void MetricsRegistry::increment(const std::string& name, const Labels& labels, double by) {
  std::lock_guard<std::mutex> lock(mutex_);
  family(name, Type::counter).series[render_labels(labels)].value += by;
}

void MetricsRegistry::set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mutex_);
  family(name, Type::gauge).series[render_labels(labels)].value = value;
}

void MetricsRegistry::clear(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  family(name, Type::gauge).series.clear();
}

void MetricsRegistry::observe(const std::string& name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family& f = family(name, Type::histogram);
  Series& s = f.series[render_labels(labels)];
  if (s.buckets.empty()) s.buckets.assign(f.upper_bounds.size(), 0);
  const auto bound = std::lower_bound(f.upper_bounds.begin(), f.upper_bounds.end(), value);
  if (bound != f.upper_bounds.end()) ++s.buckets[static_cast<size_t>(bound - f.upper_bounds.begin())];
  s.value += value;
  ++s.count;
}

std::string MetricsRegistry::render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    static const char* kTypes[] = {"counter", "gauge", "histogram"};
    out << "# HELP " << name << " " << f.help << "\n# TYPE " << name << " " << kTypes[static_cast<int>(f.type)]
        << "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != Type::histogram) {
        out << name << labels << " " << number(s.value) << "\n";
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t b = 0; b < f.upper_bounds.size(); ++b) {
        cumulative += s.buckets[b];
        out << name << "_bucket" << with_label(labels, "le", number(f.upper_bounds[b])) << " " << cumulative << "\n";
      }
      out << name << "_bucket" << with_label(labels, "le", "+Inf") << " " << s.count << "\n";
      out << name << "_sum" << labels << " " << number(s.value) << "\n";
      out << name << "_count" << labels << " " << s.count << "\n";
    }
  }
  return out.str();
}

}  // namespace adapt::serve
