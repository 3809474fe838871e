#include "leave_last_out.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include "register.h"
#include "temporal_split.h"

namespace adapt::recsys {

std::vector<double> parse_timestamps(const Records& records, const std::string& column, const std::string& component) {
  if (!records.has_column(column)) {
    throw DataError(component + ": the records from '" + records.source() + "' have no column \"" + column +
                    "\"; set timestamp_column to the column that orders interactions in time");
  }
  const auto& values = records.column(column);
  std::vector<double> out(values.size());
  for (size_t r = 0; r < values.size(); ++r) {
    char* end = nullptr;
    out[r] = std::strtod(values[r].c_str(), &end);
    if (values[r].empty() || end != values[r].c_str() + values[r].size() || !std::isfinite(out[r])) {
      throw DataError(component + ": " + records.origin(r) + ", field \"" + column + "\": \"" + values[r] +
                      "\" is not a number; timestamps must be numeric (e.g. Unix seconds)");
    }
  }
  return out;
}

LeaveLastOut::LeaveLastOut(std::string user_column, std::string timestamp_column, int64_t n_valid, int64_t n_test,
                           int64_t min_train)
    : user_column_(std::move(user_column)),
      timestamp_column_(std::move(timestamp_column)),
      n_valid_(n_valid),
      n_test_(n_test),
      min_train_(min_train) {}

OptionSchema LeaveLastOut::schema() {
  return {
      OptionSpec("user_column", OptionType::string, "user", "column holding user ids"),
      OptionSpec("timestamp_column", OptionType::string, "timestamp", "column ordering interactions in time"),
      OptionSpec("n_valid", OptionType::integer, 1, "latest interactions per user held out for validation").min(0),
      OptionSpec("n_test", OptionType::integer, 0, "latest interactions per user held out for the test").min(0),
      OptionSpec("min_train", OptionType::integer, 1, "users keeping fewer in train are not held out at all").min(1),
  };
}

SplitIndices LeaveLastOut::split(const Records& records) const {
  const std::vector<double> time = parse_timestamps(records, timestamp_column_, "recsys.leave_last_out");
  if (!records.has_column(user_column_)) {
    throw DataError("recsys.leave_last_out: the records from '" + records.source() + "' have no column \"" +
                    user_column_ + "\"; set user_column");
  }
  const auto& users = records.column(user_column_);
  std::unordered_map<std::string, std::vector<size_t>> by_user;
  std::vector<const std::string*> order;  // users in first-seen order, for determinism
  for (size_t r = 0; r < users.size(); ++r) {
    auto& rows = by_user[users[r]];
    if (rows.empty()) order.push_back(&users[r]);
    rows.push_back(r);
  }
  std::vector<int> part(records.size(), 0);  // 0 train, 1 valid, 2 test
  for (const std::string* user : order) {
    auto& rows = by_user[*user];
    if (static_cast<int64_t>(rows.size()) < min_train_ + n_valid_ + n_test_) continue;
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) { return time[a] < time[b]; });
    const size_t n = rows.size();
    for (int64_t i = 0; i < n_test_; ++i) part[rows[n - 1 - i]] = 2;
    for (int64_t i = 0; i < n_valid_; ++i) part[rows[n - 1 - n_test_ - i]] = 1;
  }
  SplitIndices split;
  for (size_t r = 0; r < part.size(); ++r) {
    (part[r] == 0 ? split.train : part[r] == 1 ? split.valid : split.test).push_back(r);
  }
  if (split.train.empty()) {
    throw DataError("recsys.leave_last_out: no training rows in '" + records.source() + "'; lower n_valid/n_test");
  }
  return split;
}

// Every recsys splitter, recsys.temporal included, so the kind has one registration function.
void register_splitters(Registry& registry) {
  registry.add_splitter("recsys.leave_last_out", "per user, the latest interactions go to valid (and test)",
                        LeaveLastOut::schema(), [](const Options& o) {
                          return std::make_shared<LeaveLastOut>(o.string("user_column"), o.string("timestamp_column"),
                                                                o.integer("n_valid"), o.integer("n_test"),
                                                                o.integer("min_train"));
                        });
  registry.add_splitter("recsys.temporal", "a global time cut-off: the latest interactions go to valid (and test)",
                        TemporalSplit::schema(), [](const Options& o) { return TemporalSplit::create(o); });
}

}  // namespace adapt::recsys
