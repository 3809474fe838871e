#include "temporal_split.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "leave_last_out.h"

namespace adapt::recsys {

TemporalSplit::TemporalSplit(Settings settings) : s_(std::move(settings)) {}

OptionSchema TemporalSplit::schema() {
  return {
      OptionSpec("timestamp_column", OptionType::string, "timestamp", "column ordering interactions in time"),
      OptionSpec("valid_pct", OptionType::number, 0.2, "fraction of the latest rows for validation").min(0).max(1),
      OptionSpec("test_pct", OptionType::number, 0.0, "fraction of the latest rows for the test").min(0).max(1),
      OptionSpec("valid_cutoff", OptionType::number, nullptr, "timestamp from which rows are validation (overrides valid_pct)"),
      OptionSpec("test_cutoff", OptionType::number, nullptr, "timestamp from which rows are test (overrides test_pct)"),
  };
}

std::shared_ptr<TemporalSplit> TemporalSplit::create(const Options& options) {
  Settings s;
  s.timestamp_column = options.string("timestamp_column");
  s.valid_pct = options.number("valid_pct");
  s.test_pct = options.number("test_pct");
  if (options.has("valid_cutoff")) s.valid_cutoff = options.number("valid_cutoff");
  if (options.has("test_cutoff")) s.test_cutoff = options.number("test_cutoff");
  if (!s.valid_cutoff && !s.test_cutoff && s.valid_pct + s.test_pct >= 1.0) {
    throw options.error("valid_pct", "valid_pct + test_pct must be below 1 so some rows train, got " +
                                         std::to_string(s.valid_pct + s.test_pct));
  }
  if (s.valid_cutoff && s.test_cutoff && *s.test_cutoff < *s.valid_cutoff) {
    throw options.error("test_cutoff", "must not be before valid_cutoff");
  }
  return std::make_shared<TemporalSplit>(s);
}

SplitIndices TemporalSplit::split(const Records& records) const {
  const std::vector<double> time = parse_timestamps(records, s_.timestamp_column, "recsys.temporal");
  std::vector<double> sorted = time;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  // The cut-off for the latest `pct` of rows: the timestamp of the first row in that tail.
  auto cutoff_for = [&](double pct) {
    if (pct <= 0.0 || n == 0) return std::numeric_limits<double>::infinity();
    const auto tail = static_cast<size_t>(std::llround(pct * static_cast<double>(n)));
    if (tail == 0) return std::numeric_limits<double>::infinity();
    return sorted[n - std::min(tail, n)];
  };
  const double test_cut = s_.test_cutoff ? *s_.test_cutoff : cutoff_for(s_.test_pct);
  const double valid_cut = s_.valid_cutoff ? *s_.valid_cutoff : cutoff_for(s_.valid_pct + s_.test_pct);
  SplitIndices split;
  for (size_t r = 0; r < n; ++r) {
    if (time[r] >= test_cut) {
      split.test.push_back(r);
    } else if (time[r] >= valid_cut) {
      split.valid.push_back(r);
    } else {
      split.train.push_back(r);
    }
  }
  if (split.train.empty()) {
    throw DataError("recsys.temporal: every row of '" + records.source() +
                    "' falls at or after the cut-off, leaving nothing to train on; move the cut-off later");
  }
  return split;
}

}  // namespace adapt::recsys
