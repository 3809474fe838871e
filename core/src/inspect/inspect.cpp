// The audit as a whole, and its report as text and files.
#include "adapt/inspect/inspect.h"

#include <cstdio>

#include "adapt/common/atomic_file.h"
#include "adapt/data/csv_writer.h"
#include "adapt/inspect/block_audit.h"
#include "adapt/inspect/groups.h"
#include "adapt/inspect/integrity.h"
#include "adapt/inspect/leakage.h"
#include "adapt/inspect/split_drift.h"

namespace adapt {
namespace {

std::string cell(const json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// One CSV row per object of `rows`, with `columns` in order.
std::string table(const json& rows, const std::vector<std::string>& columns) {
  std::vector<std::vector<std::string>> out{columns};
  for (const auto& r : rows) {
    std::vector<std::string> line;
    for (const auto& c : columns) line.push_back(r.contains(c) ? cell(r[c]) : std::string());
    out.push_back(line);
  }
  return csv_text(out);
}

// sections[key], or an empty array when the report has no such section.
const json& section_of(const json& sections, const char* key) {
  static const json empty = json::array();
  auto it = sections.find(key);
  return it == sections.end() ? empty : *it;
}

}  // namespace

std::string label_issues_csv(const json& section) {
  const json& issues = section_of(section, "issues");
  std::vector<std::string> inputs;
  if (!issues.empty())
    for (const auto& item : issues[0]["inputs"].items()) inputs.push_back(item.key());
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> header{"rank", "row", "origin", "given", "suggested", "given_probability",
                                  "suggested_probability"};
  header.insert(header.end(), inputs.begin(), inputs.end());
  out.push_back(header);
  size_t rank = 0;
  for (const auto& issue : issues) {
    std::vector<std::string> line{std::to_string(++rank), cell(issue["row"]), cell(issue["origin"]),
                                  cell(issue["given"]), cell(issue["suggested"]), cell(issue["given_probability"]),
                                  cell(issue["suggested_probability"])};
    for (const auto& c : inputs) line.push_back(cell(issue["inputs"][c]));
    out.push_back(line);
  }
  return csv_text(out);
}

InspectReport cheap_checks(const InspectInput& in, const InspectOptions& options) {
  InspectReport report;
  check_groups(in, options, report);  // first: a group column that does not exist stops before any work
  check_integrity(in, options, report);
  check_splits(in, options, report);
  check_single_column_leakage(in, options, report);
  return report;
}

InspectReport inspect_data(const InspectInput& in, const InspectOptions& options, const DataBlocks& blocks,
                           const MakeBaseline& make_baseline, const std::string& baseline_name) {
  InspectReport report = cheap_checks(in, options);
  check_blocks(in, blocks, report);
  if (!options.label_issues) return report;
  check_label_issues(in, options, blocks, make_baseline, baseline_name, report);
  return report;
}

void print_inspect_report(const InspectReport& report, std::ostream& out) {
  size_t warnings = 0, notes = 0;
  for (const auto& f : report.findings) (f.severity == Severity::warning ? warnings : notes) += 1;
  out << "inspect: " << warnings << " warning" << (warnings == 1 ? "" : "s") << ", " << notes << " note"
      << (notes == 1 ? "" : "s") << "\n";
  for (const auto severity : {Severity::warning, Severity::note})
    for (const auto& f : report.findings)
      if (f.severity == severity) out << (severity == Severity::warning ? "warning: " : "note: ") << f.message << "\n";
  if (report.sections.contains("leakage") && !report.sections["leakage"].empty()) {
    const bool concordance = report.sections["leakage"][0].value("measure", "auroc") == "concordance";
    out << "most predictive single columns (" << (concordance ? "concordance index" : "AUROC")
        << " of a one-feature model):";
    size_t shown = 0;
    for (const auto& l : report.sections["leakage"]) {
      if (shown++ == 5) break;
      char value[16];
      std::snprintf(value, sizeof value, "%.3f", l["auroc"].get<double>());
      out << " " << l["column"].get<std::string>() << " " << value;
    }
    out << "\n";
  }
  if (report.sections.contains("label_issues")) {
    const json& issues = report.sections["label_issues"]["issues"];
    if (!issues.empty()) out << "most likely label issues (origin, given -> suggested, p(given)):\n";
    for (size_t i = 0; i < issues.size() && i < 10; ++i) {
      char p[16];
      std::snprintf(p, sizeof p, "%.3f", issues[i]["given_probability"].get<double>());
      out << "  " << issues[i]["origin"].get<std::string>() << "  " << issues[i]["given"].get<std::string>() << " -> "
          << issues[i]["suggested"].get<std::string>() << "  " << p << "\n";
    }
  }
}

void write_inspect_files(const InspectReport& report, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const json& s = report.sections;
  write_text_atomically(dir / "inspect.json", report.to_json().dump(2) + "\n");
  write_text_atomically(dir / "columns.csv",
                        table(section_of(s, "columns"),
                              {"column", "role", "kind", "rows", "missing", "distinct", "numbers", "top_value",
                               "top_count"}));
  write_text_atomically(dir / "drift.csv", table(section_of(s, "drift"),
                                                 {"split", "column", "method", "statistic", "p_value", "threshold",
                                                  "drift"}));
  json groups = json::array();
  for (const auto& [column, entry] : section_of(s, "groups").items())
    for (json row : entry["counts"]) {
      row["column"] = column;
      groups.push_back(row);
    }
  write_text_atomically(dir / "groups.csv", table(groups, {"column", "group", "train", "valid", "test"}));
  write_text_atomically(dir / "leakage.csv", table(section_of(s, "leakage"), {"column", "kind", "auroc", "measure"}));
  if (s.contains("label_issues")) write_text_atomically(dir / "label_issues.csv", label_issues_csv(s["label_issues"]));
}

}  // namespace adapt
