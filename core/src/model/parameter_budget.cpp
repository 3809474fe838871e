#include "adapt/model/parameter_budget.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace adapt {

namespace {

std::string gigabytes(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g GB", bytes / 1e9);
  return text;
}

}  // namespace

uint64_t parameter_byte_limit() {
  if (const char* set = std::getenv("ADAPT_MAX_MODEL_BYTES"); set && *set) {
    char* end = nullptr;
    const double value = std::strtod(set, &end);
    if (*end != '\0' || !(value > 0))
      throw OptionError(std::string("ADAPT_MAX_MODEL_BYTES=") + set + ": expected a number of bytes > 0");
    return static_cast<uint64_t>(value);
  }
  const double physical = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  return static_cast<uint64_t>(physical > 0 ? physical / 2 : 8e9);
}

void check_parameter_budget(double parameters, const Options& options, const std::string& key) {
  const double bytes = parameters * 16.0;  // weight, gradient, AdamW's two moments, float32 each
  const double limit = static_cast<double>(parameter_byte_limit());
  if (std::isfinite(bytes) && bytes <= limit) return;
  throw options.error(key, "these sizes make " + std::to_string(static_cast<long long>(std::fmin(parameters, 9e18))) +
                               " parameters, about " + gigabytes(bytes) + " to train (weights, gradients, optimiser "
                               "moments), beyond the " + gigabytes(limit) +
                               " allowed (half the physical memory; set ADAPT_MAX_MODEL_BYTES to change it)");
}

double parameters::mlp(double in, const std::vector<int64_t>& hidden, double out) {
  double total = 0;
  for (int64_t width : hidden) total += linear(in, static_cast<double>(width)), in = static_cast<double>(width);
  return total + linear(in, out);
}

}  // namespace adapt
