// Rows per group and split (docs/inspect.md, "Groups").
#include "adapt/inspect/groups.h"

#include <array>
#include <map>

#include "adapt/inspect/integrity.h"

namespace adapt {
namespace {

constexpr std::array<const char*, 3> kSplits = {"train", "valid", "test"};

std::string split_long_name(size_t s) { return s == 0 ? "training" : s == 1 ? "validation" : "test"; }

std::string group_list(const std::vector<std::string>& groups) {
  std::string out;
  for (size_t i = 0; i < groups.size() && i < 10; ++i) out += (i ? ", \"" : "\"") + groups[i] + "\"";
  if (groups.size() > 10) out += ", ... (" + std::to_string(groups.size()) + " in all)";
  return out;
}

void check_column(const InspectInput& in, const InspectOptions& o, const std::string& column, InspectReport& report) {
  const size_t index = in.records.column_index(column);
  std::map<std::string, std::array<size_t, 3>> counts;
  std::array<size_t, 3> totals{};
  for (size_t s = 0; s < kSplits.size(); ++s)
    for (size_t r : split_rows(in.split, kSplits[s])) {
      ++counts[in.records.at(r, index)][s];
      ++totals[s];
    }
  json rows = json::array();
  std::vector<std::string> only_held_out[3], straddling;
  for (const auto& [group, n] : counts) {
    rows.push_back({{"group", group}, {"train", n[0]}, {"valid", n[1]}, {"test", n[2]}});
    if (n[0] == 0) {
      for (size_t s = 1; s < 3; ++s)
        if (n[s] > 0) only_held_out[s].push_back(group);
    } else if (n[1] + n[2] > 0) {
      straddling.push_back(group);
    }
  }
  const std::string quoted = "\"" + column + "\"";
  for (size_t s = 1; s < 3; ++s) {
    if (only_held_out[s].empty()) continue;
    // Held out only in test, or only in valid: one finding per split naming them.
    size_t held = 0;
    for (const auto& g : only_held_out[s]) held += counts[g][s];
    report.warn("group_only_held_out", "groups of " + quoted + " present only in " + split_long_name(s) + ": " +
                                           group_list(only_held_out[s]) + " (" + std::to_string(held) +
                                           " rows); the model never trains on them, so " + split_long_name(s) +
                                           " scores measure new groups (intended with a group split)");
  }
  if (!straddling.empty())
    report.warn("group_straddles", std::to_string(straddling.size()) + " of " + std::to_string(counts.size()) +
                                       " groups of " + quoted +
                                       " appear both in training and in validation/test: scores there measure groups "
                                       "the model has seen (split by group, e.g. core.by_column or core.grouped, to "
                                       "measure new ones)");
  for (size_t s = 0; s < 3; ++s) {
    if (totals[s] == 0) continue;
    std::string top;
    size_t top_n = 0, present = 0;
    for (const auto& [group, n] : counts) {
      present += n[s] > 0;
      if (n[s] > top_n) top = group, top_n = n[s];
    }
    const double share = static_cast<double>(top_n) / static_cast<double>(totals[s]);
    if (counts.size() > 1 && share > o.dominant_group)
      report.warn("group_dominates", "group \"" + top + "\" of " + quoted + " is " + percent(share) + " of the " +
                                         split_long_name(s) + " rows (" + std::to_string(present) +
                                         " groups there); the model learns mostly from one kind of example");
  }
  report.sections["groups"][column] = {{"groups", counts.size()}, {"straddling", straddling.size()}, {"counts", rows}};
}

}  // namespace

void check_groups(const InspectInput& in, const InspectOptions& options, InspectReport& report) {
  for (const auto& column : options.groups) {
    if (!in.records.has_column(column)) {
      std::string available;
      for (const auto& c : in.records.column_names()) available += (available.empty() ? "" : ", ") + c;
      throw OptionError("inspect.groups: the data from " + in.records.source() + " has no column \"" + column +
                        "\" (columns: " + available + ")");
    }
    check_column(in, options, column, report);
  }
}

}  // namespace adapt
