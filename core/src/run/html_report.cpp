// report.html: the run directory's files (run.json, metrics.json, the SVGs and CSVs) as one page.
// Everything taken from the files is HTML-escaped; the SVGs the run drew are inlined as they are,
// unless they hold anything active (a script), which a report must not run.
#include "adapt/run/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "adapt/common/atomic_file.h"
#include "adapt/common/options.h"
#include "adapt/data/csv.h"
#include "adapt/explain/explain.h"
#include "adapt/report/plot.h"
#include "adapt/run/test_ledger.h"
#include "monitor/out_of_domain_text.h"

namespace adapt {
namespace html_report_parts {

namespace fs = std::filesystem;

constexpr size_t kMaxTableRows = 50;
constexpr size_t kMaxSummaryBytes = 64 * 1024;
// Larger files are named, not read: the page stays small and quick to write.
constexpr uintmax_t kMaxInlinedBytes = 2 * 1024 * 1024;

// Files whose content a section shows; any other CSV or SVG in the run directory is a plugin's and
// goes to the plugin reports.
const std::set<std::string> kShownFiles = {"loss.svg",          "metrics.svg",         "confusion_matrix.svg",
                                           "most_confused.csv", "top_losses.csv",      "slices.csv",
                                           "reliability.svg",   "confusion_matrix.csv"};
// Records of every row, not figures: too large for a page, and linked instead.
const std::set<std::string> kRecordFiles = {"split.csv", "predictions.csv", "history.csv"};

std::string esc(const std::string& text) { return xml_escape(text); }

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json read_json(const fs::path& file, bool required) {
  if (!fs::exists(file)) {
    if (!required) return json::object();
    throw Error(file.string() +
                " not found: report.html is built from a finished run's directory, and a run "
                "writes run.json last; give the directory of a finished run (adapt train --out DIR)");
  }
  try {
    return json::parse(read_text(file));
  } catch (const json::exception& e) {
    throw Error(file.string() + " is not valid JSON (" + e.what() +
                "); the run that wrote it was cut short or the "
                "file was edited: train again");
  }
}

// j[key] (null when absent or j is no object) by reference: a loop over its items() outlives no temporary.
const json& field(const json& j, const std::string& key) {
  static const json none;
  if (!j.is_object()) return none;
  const auto it = j.find(key);
  return it == j.end() ? none : *it;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Whether markup holds anything a browser would run: a script, a foreign object, a javascript: URL or
// an event handler attribute (` onload=`).
bool is_active(const std::string& markup) {
  const std::string text = lower(markup);
  for (const char* active : {"<script", "<foreignobject", "javascript:", "<iframe"})
    if (text.find(active) != std::string::npos) return true;
  for (size_t at = text.find(" on"); at != std::string::npos; at = text.find(" on", at + 1)) {
    size_t end = at + 3;
    while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
    if (end > at + 3 && end < text.size() && text[end] == '=') return true;
  }
  return false;
}

// Whether every src= and href= of markup stays on the page (a data: URI or an #anchor): what a page
// shows must not be fetched from anywhere.
bool is_self_contained(const std::string& markup) {
  const std::string text = lower(markup);
  for (const char* attribute : {"src=", "href="})
    for (size_t at = text.find(attribute); at != std::string::npos; at = text.find(attribute, at + 1)) {
      size_t value = at + std::string(attribute).size();
      if (value < text.size() && (text[value] == '"' || text[value] == '\'')) ++value;
      if (text.compare(value, 5, "data:") != 0 && text.compare(value, 1, "#") != 0) return false;
    }
  return true;
}

// An SVG the run drew, without its XML prolog, inside a figure; empty when absent or active.
std::string too_large(const fs::path& file) {
  return fmt::format("<p class=\"note\">{} ({:.1f} MB) is too large to show here.</p>\n", esc(file.filename().string()),
                     static_cast<double>(fs::file_size(file)) / 1e6);
}

std::string figure(const fs::path& file) {
  if (fs::exists(file) && fs::file_size(file) > kMaxInlinedBytes) return too_large(file);
  const std::string svg = read_text(file);
  const size_t start = svg.find("<svg");
  if (start == std::string::npos || is_active(svg)) return {};
  return "<figure>" + svg.substr(start) + "<figcaption>" + esc(file.filename().string()) + "</figcaption></figure>\n";
}

std::string cell(const json& value) {
  if (value.is_string()) return esc(value.get<std::string>());
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  if (value.is_number()) {
    const double v = value.get<double>();
    return std::isfinite(v) ? fmt::format("{:.4f}", v) : esc(value.dump());
  }
  if (value.is_null()) return "&ndash;";
  return esc(value.dump());
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::string& note = {}) {
  std::string html = "<table><thead><tr>";
  for (const auto& h : header) html += "<th>" + h + "</th>";
  html += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    html += "<tr>";
    for (const auto& c : row) html += "<td>" + c + "</td>";
    html += "</tr>\n";
  }
  html += "</tbody></table>\n";
  if (!note.empty()) html += "<p class=\"note\">" + note + "</p>\n";
  return html;
}

// A CSV the run wrote, as a table of its first kMaxTableRows rows; empty when absent or empty.
std::string csv_table(const fs::path& file) {
  if (!fs::exists(file)) return {};
  if (fs::file_size(file) > kMaxInlinedBytes) return too_large(file);
  const Records csv = read_csv_file(file.string());
  if (csv.size() == 0) return {};
  std::vector<std::string> header;
  for (const auto& name : csv.column_names()) header.push_back(esc(name));
  std::vector<std::vector<std::string>> rows;
  for (size_t r = 0; r < std::min(csv.size(), kMaxTableRows); ++r) {
    rows.emplace_back();
    for (size_t c = 0; c < header.size(); ++c) rows.back().push_back(esc(csv.at(r, c)));
  }
  const std::string name = esc(file.filename().string());
  return table(header, rows,
               csv.size() > kMaxTableRows
                   ? fmt::format("the first {} of {} rows; all of them are in {}", kMaxTableRows, csv.size(), name)
                   : "from " + name);
}

std::string list(const std::vector<std::string>& items, const std::string& css_class = {}) {
  if (items.empty()) return {};
  std::string html = css_class.empty() ? "<ul>" : "<ul class=\"" + css_class + "\">";
  for (const auto& item : items) html += "<li>" + item + "</li>";
  return html + "</ul>\n";
}

std::vector<std::string> strings(const json& array) {
  std::vector<std::string> out;
  if (array.is_array())
    for (const auto& v : array) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

std::vector<fs::path> files_matching(const fs::path& dir, const std::string& prefix, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.rfind(prefix, 0) == 0 && entry.path().extension() == ext)
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What a section reads: the directory and its two records.
struct Run {
  fs::path dir;
  json run;      // run.json
  json metrics;  // metrics.json ({} when absent)
};

// A verdict line where a baseline wins is a known limit of the model.
bool baseline_wins(const std::string& verdict) {
  return verdict.find("BEATS") != std::string::npos || verdict.find("does not beat") != std::string::npos;
}

// The network and every baseline on every metric of each part, the primary metric first.
std::string results_table(const Run& r) {
  const json& metrics = field(r.run, "metrics");
  const json& baselines = field(r.run, "baselines");
  const std::string primary = r.run.value("primary_metric", std::string());
  std::vector<std::string> names;
  if (!primary.empty()) names.push_back(primary);
  for (const auto& [part, scores] : metrics.items())
    for (const auto& [name, value] : scores.items())
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  if (names.empty()) return {};
  std::vector<std::string> header{"model", "part"};
  for (const auto& n : names) header.push_back(esc(n) + (n == primary ? " (primary)" : ""));
  std::vector<std::vector<std::string>> rows;
  auto add = [&](const std::string& model, const json& entry, const std::string& css) {
    for (const char* part : {"valid", "test"}) {
      if (!entry.contains(part)) continue;
      std::vector<std::string> row{css.empty() ? model : "<span class=\"" + css + "\">" + model + "</span>", part};
      for (const auto& n : names) row.push_back(cell(field(entry[part], n)));
      rows.push_back(row);
    }
  };
  add("network", metrics, "network");
  for (const auto& [name, entry] : baselines.items()) {
    if (entry.is_null()) continue;
    if (entry.contains("error")) {
      rows.push_back({esc(name), "&ndash;", "failed: " + cell(entry["error"])});
      continue;
    }
    add(esc(name) + (entry.contains("description") ? "<br><small>" + cell(entry["description"]) + "</small>" : ""),
        entry, "");
  }
  return table(header, rows);
}

std::string verdict(const Run& r) {
  std::string html;
  if (r.run.contains("test_part")) html += "<p class=\"test\">" + esc(test_part_line(r.run["test_part"])) + "</p>\n";
  std::vector<std::string> lines;
  for (const auto& v : strings(field(r.run, "verdicts")))
    lines.push_back(baseline_wins(v) ? "<span class=\"loses\">" + esc(v) + "</span>" : esc(v));
  html += list(lines, "verdicts");
  html += results_table(r);
  return html;
}

std::string data_audit(const Run& r) {
  std::vector<std::string> items;
  for (const auto& w : strings(field(r.run, "warnings"))) items.push_back(esc(w));
  if (items.empty()) return {};
  return "<p>The data checks every run makes (<code>adapt inspect</code> audits further):</p>\n" + list(items, "warn");
}

std::string figures(const std::vector<fs::path>& files) {
  std::string html;
  for (const auto& f : files) html += figure(f);
  return html;
}

std::string curves(const Run& r) { return figures({r.dir / "loss.svg", r.dir / "metrics.svg"}); }

std::string lr_find(const Run& r) { return figures(files_matching(r.dir, "lr_find", ".svg")); }

std::string part_note(const Run& r) {
  const json& part = field(field(r.metrics, "interpretation"), "split");
  if (!part.is_string()) return {};
  return "<p>On the " + esc(part.get<std::string>()) + " part.</p>\n";
}

std::string confusion(const Run& r) {
  std::string body = figure(r.dir / "confusion_matrix.svg");
  if (const std::string pairs = csv_table(r.dir / "most_confused.csv"); !pairs.empty())
    body += "<h3>Most confused pairs</h3>\n" + pairs;
  return body.empty() ? body : part_note(r) + body;
}

// top_losses_explained.json (explain_top_losses): each item's parts shaded by their effect on the
// class the network predicted.
std::string top_loss_explanations(const Run& r) {
  const json explained = read_json(r.dir / "top_losses_explained.json", false);
  if (!explained.is_array() || explained.empty()) return {};
  std::string html = "<h3>Why the network predicted what it did</h3>\n<p>Each part of each item taken out in turn "
                     "(<code>adapt explain</code>, docs/explanations.md): red parts pushed the network towards its "
                     "wrong prediction, blue parts away from it.</p>\n";
  for (const auto& e : explained) {
    // The item drawn by its blocks, unless the file was edited into something active or fetching.
    std::string shown = e.value("shown", std::string());
    if (is_active(shown) || !is_self_contained(shown)) shown.clear();
    html += explanation_section(
        explanation_from_json(e),
        fmt::format("{}: actual {}, predicted {}, loss {:.3f}", e.value("origin", std::string("?")),
                    e.value("actual", std::string("?")), e.value("predicted", std::string("?")),
                    e.value("loss", 0.0)),
        shown);
  }
  return html;
}

std::string top_losses(const Run& r) {
  const std::string body = csv_table(r.dir / "top_losses.csv");
  return body.empty() ? body
                      : part_note(r) + "<p>The items the network got most wrong, highest loss first.</p>\n" + body +
                            top_loss_explanations(r);
}

std::string slices(const Run& r) {
  const std::string body = csv_table(r.dir / "slices.csv") + figures(files_matching(r.dir, "slices_", ".svg"));
  return body.empty() ? body : "<p>Every metric per value of the recipe's slice columns, worst first.</p>\n" + body;
}

std::string calibration(const Run& r) {
  const json& c = field(r.metrics, "calibration");
  if (!c.is_object()) return {};
  std::vector<std::vector<std::string>> rows;
  for (const char* part : {"valid", "test"})
    if (c.contains(part)) rows.push_back({part, cell(field(c[part], "ece_before")), cell(field(c[part], "ece_after"))});
  std::string html = "<p>" + cell(c.value("method", json("temperature scaling"))) + ": temperature " +
                     cell(field(c, "temperature")) + "; predict applies it.</p>\n";
  html += table({"part", "ECE before", "ECE after"}, rows);
  return html + figure(r.dir / "reliability.svg");
}

std::string sanity(const Run& r) {
  const json& s = field(field(r.metrics, "reports"), "sanity");
  if (!s.is_object()) return {};
  std::string html = s.value("passed", false) ? "<p class=\"pass\">passed</p>\n" : "<p class=\"loses\">FAILED</p>\n";
  html += "<p>Trained on a short budget (at most " + cell(field(s, "max_epochs")) + " epochs per phase); judged on " +
          cell(s.value("validation", json("valid"))) + ".</p>\n";
  std::vector<std::vector<std::string>> rows;
  for (const char* run : {"real", "shuffled_labels", "noise_inputs", "chance", "tolerance"})
    rows.push_back({run, cell(s.value(run, json()))});
  html += table({"run", cell(s.value("metric", json("score")))}, rows);
  std::vector<std::string> findings;
  for (const auto& f : strings(field(s, "findings"))) findings.push_back(esc(f));
  return html + list(findings, "warn");
}

// The export's out-of-domain scorer (docs/monitoring.md): components, threshold, what it was fitted on.
std::string out_of_domain(const Run& r) {
  const json& summary = field(field(r.metrics, "reports"), "out_of_domain");
  const json& ood = field(summary, "out_of_domain");
  const json& drift = field(summary, "drift_reference");
  if (!ood.is_object() && !drift.is_object()) return {};
  std::string html;
  if (ood.is_object()) {
    html += "<p>Every prediction carries <code>ood_score</code> (" + esc(detail::out_of_domain_components(ood)) +
            ") and <code>in_domain</code>: the threshold " + cell(field(ood, "threshold")) + " accepts " +
            cell(field(ood, "accept_share")) + " of the " + cell(field(ood, "calibrated_on")) +
            " rows. It flags inputs unlike the training data to the model; it says nothing about whether a "
            "prediction is right.</p>\n";
  }
  if (drift.is_object()) {
    std::string columns;
    for (const auto& c : strings(field(drift, "columns"))) columns += (columns.empty() ? "" : ", ") + esc(c);
    html += "<p><code>adapt drift</code> compares new data with the reference the export keeps: " +
            (columns.empty() ? std::string("no tabular columns") : "columns " + columns) +
            (field(drift, "features") == json(true) ? "; pooled features" : "") + ".</p>\n";
  }
  return html;
}

// A report's result as "key.path: value" rows (arrays of objects are counted, not listed).
void flatten(const json& value, const std::string& path, std::vector<std::vector<std::string>>& rows) {
  if (rows.size() >= kMaxTableRows) return;
  if (value.is_object()) {
    for (const auto& [key, v] : value.items()) flatten(v, path.empty() ? key : path + "." + key, rows);
  } else if (value.is_array() && (value.size() > 12 || std::any_of(value.begin(), value.end(),
                                                                   [](const json& v) { return v.is_structured(); }))) {
    rows.push_back({esc(path), fmt::format("{} entries (metrics.json)", value.size())});
  } else {
    rows.push_back({esc(path), cell(value)});
  }
}

std::string reports(const Run& r) {
  std::string html;
  for (const auto& [name, result] : field(r.metrics, "reports").items()) {
    if (name == "sanity" || name == "out_of_domain") continue;
    std::vector<std::vector<std::string>> rows;
    flatten(result, "", rows);
    if (!rows.empty()) html += "<h3>" + esc(name) + "</h3>\n" + table({"result", "value"}, rows);
  }
  std::vector<fs::path> files = files_matching(r.dir, "", ".csv"), svgs = files_matching(r.dir, "", ".svg");
  files.insert(files.end(), svgs.begin(), svgs.end());
  for (const auto& path : files) {
    const std::string file = path.filename().string();
    if (kShownFiles.count(file) || kRecordFiles.count(file) || file.rfind("slices_", 0) == 0 ||
        file.rfind("lr_find", 0) == 0)
      continue;
    if (path.extension() == ".csv") html += "<h3>" + esc(file) + "</h3>\n" + csv_table(path);
    if (path.extension() == ".svg") html += figure(path);
  }
  return html;
}

std::string model_summary(const Run& r) {
  std::string text = read_text(r.dir / "model_summary.txt");
  if (text.empty()) return {};
  if (text.size() > kMaxSummaryBytes)
    text = text.substr(0, kMaxSummaryBytes) + "\n... (the rest is in model_summary.txt)";
  return "<pre>" + esc(text) + "</pre>\n";
}

// "NAME (column, ...)" for a block of the recipe.
std::string component(const json& spec) {
  if (!spec.is_object()) return {};
  std::string columns;
  if (spec.contains("column") && spec["column"].is_string()) columns = spec["column"].get<std::string>();
  for (const auto& c : strings(field(spec, "columns"))) columns += (columns.empty() ? "" : ", ") + c;
  return "<code>" + esc(spec.value("name", std::string("?"))) + "</code>" +
         (columns.empty() ? "" : " (" + esc(columns) + ")");
}

// A component's name and the options it was given (scalars only), e.g. core.random valid_pct=0.2.
std::string options_line(const json& spec) {
  if (!spec.is_object()) return {};
  std::string html = "<code>" + esc(spec.value("name", std::string("?"))) + "</code>";
  for (const auto& [key, v] : spec.items())
    if (key != "name" && v.is_primitive() && !v.is_null() && v != "") html += " " + esc(key) + "=" + cell(v);
  return html;
}

std::string slice_summary(const Run& r) {
  const std::string primary = r.run.value("primary_metric", std::string());
  std::vector<std::string> items;
  for (const auto& [column, parts] : field(r.metrics, "slices").items())
    for (const auto& [part, rows] : parts.items()) {
      if (!rows.is_array() || rows.empty()) continue;
      const json& worst = rows.front();  // worst first
      const json& best = rows.back();
      items.push_back(fmt::format("{} ({}, {} values): worst {} = {} ({}), best {} = {}", esc(column), esc(part),
                                  rows.size(), cell(field(worst, "value")), cell(field(worst, primary)), esc(primary),
                                  cell(field(best, "value")), cell(field(best, primary))));
    }
  return list(items);
}

std::string known_limits(const Run& r) {
  std::vector<std::string> items;
  for (const auto& v : strings(field(r.run, "verdicts")))
    if (baseline_wins(v)) items.push_back(esc(v));
  for (const auto& w : strings(field(r.run, "warnings"))) items.push_back(esc(w));
  const json& sanity = field(field(r.metrics, "reports"), "sanity");
  if (sanity.is_object())
    for (const auto& f : strings(field(sanity, "findings"))) items.push_back("sanity: " + esc(f));
  const json& c = field(r.metrics, "calibration");
  if (c.is_object() && c.contains("valid"))
    items.push_back("calibration error (ECE) after temperature scaling: " + cell(field(c["valid"], "ece_after")) +
                    " on valid");
  return list(items);
}

std::string model_card(const Run& r) {
  const json& recipe = field(r.run, "recipe");
  const json& data = field(r.run, "data");
  std::vector<std::pair<std::string, std::string>> entries;
  std::string inputs;
  for (const auto& spec : field(recipe, "inputs")) inputs += (inputs.empty() ? "" : ", ") + component(spec);
  if (recipe.contains("target"))
    entries.push_back({"Intended use", "Predicts " + component(recipe["target"]) +
                                           (inputs.empty() ? "" : " from " + inputs) +
                                           (recipe.contains("model") ? " with " + component(recipe["model"]) : "") +
                                           ", on data like the training data below; judged against the baselines "
                                           "of the verdict."});
  if (!data.empty()) {
    const json& split = field(data, "split");
    std::string html = "reader " + options_line(field(recipe, "reader")) + "<br>" + cell(field(data, "records")) +
                       " records from " + cell(field(data, "source")) + " (" + cell(field(data, "hash")) + ")<br>";
    for (const char* part : {"train", "valid", "test"})
      html += std::string(part) + " " + cell(field(split, part)) + (std::string(part) == "test" ? "" : ", ");
    entries.push_back({"Data", html});
  }
  if (recipe.contains("splitter"))
    entries.push_back(
        {"Split protocol",
         options_line(recipe["splitter"]) + "; the run's seed " + cell(field(r.run, "seed")) +
             (r.run.contains("test_part") ? "; " + esc(test_part_line(r.run["test_part"])) : std::string())});
  std::string metrics;
  for (const auto& [part, scores] : field(r.run, "metrics").items()) {
    std::string line;
    for (const auto& [name, value] : scores.items()) line += (line.empty() ? "" : ", ") + esc(name) + " " + cell(value);
    metrics += "<li>" + esc(part) + ": " + line + "</li>";
  }
  if (!metrics.empty()) entries.push_back({"Metrics", "<ul>" + metrics + "</ul>" + slice_summary(r)});
  if (const std::string limits = known_limits(r); !limits.empty()) entries.push_back({"Known limits", limits});
  const json& versions = field(r.run, "versions");
  if (!versions.empty()) {
    std::string html =
        "adapt " + cell(field(versions, "adapt")) + ", LibTorch " + cell(field(versions, "torch")) + "; plugins:";
    for (const auto& [name, version] : field(versions, "plugins").items())
      html += " " + esc(name) + " " + cell(version);
    html += "<br><small>" + cell(field(versions, "fingerprint")) + "</small>";
    entries.push_back({"Plugins and versions", html});
  }
  std::string html = "<dl>\n";
  for (const auto& [term, text] : entries) html += "<dt>" + term + "</dt><dd>" + text + "</dd>\n";
  return entries.empty() ? std::string() : html + "</dl>\n";
}

struct Section {
  const char* id;
  const char* title;
  std::function<std::string(const Run&)> body;
};

const std::vector<Section>& sections() {
  static const std::vector<Section> all = {
      {"verdict", "Verdict", verdict},
      {"data-audit", "Data audit", data_audit},
      {"curves", "Learning curves", curves},
      {"lr-find", "Learning-rate finder", lr_find},
      {"confusion", "Confusion", confusion},
      {"top-losses", "Top losses", top_losses},
      {"slices", "Slices", slices},
      {"calibration", "Calibration", calibration},
      {"sanity", "Sanity runs", sanity},
      {"out-of-domain", "Out of domain", out_of_domain},
      {"reports", "Plugin reports", reports},
      {"model-summary", "Model summary", model_summary},
      {"model-card", "Model card", model_card},
  };
  return all;
}

const char* kStyle = R"(<style>
body{font-family:sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;color:#222;line-height:1.4}
h1{margin-bottom:4px}h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}
nav a{margin-right:12px}table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td{max-width:640px;overflow-wrap:anywhere}figure{display:inline-block;margin:8px 16px 8px 0}
figure svg{max-width:100%;height:auto}figcaption{font-size:12px;color:#666}
pre{background:#f7f7f7;padding:8px;overflow-x:auto;font-size:12px}.note,small{color:#666}
.loses{color:#b00020;font-weight:bold}.pass{color:#1b7f3b;font-weight:bold}.network{font-weight:bold}
.warn li{color:#8a5300}dt{font-weight:bold;margin-top:8px}dd{margin-left:16px}
</style>
)";

std::string page(const Run& r) {
  const json& data = field(r.run, "data");
  std::string name = fs::absolute(r.dir).lexically_normal().filename().string();
  if (name.empty()) name = fs::absolute(r.dir).lexically_normal().parent_path().filename().string();
  std::string body, nav;
  for (const auto& s : sections()) {
    const std::string content = s.body(r);
    if (content.empty()) continue;  // the run lacks it: left out, never shown empty
    nav += fmt::format("<a href=\"#{}\">{}</a>", s.id, s.title);
    body += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n", s.id, s.title, content);
  }
  std::string head = "<p>" + cell(field(data, "records")) + " records from " + cell(field(data, "source")) + "; seed " +
                     cell(field(r.run, "seed"));
  if (r.run.contains("seconds")) head += fmt::format("; trained in {:.1f} s", r.run.value("seconds", 0.0));
  if (const std::string stopped = r.run.value("stopped", std::string()); !stopped.empty())
    head += "; stopped early: " + esc(stopped);
  std::string beside;
  for (const char* file : {"model.adapt", "run.json", "metrics.json", "history.csv", "split.csv", "predictions.csv"})
    if (fs::exists(r.dir / file)) beside += std::string(beside.empty() ? "" : ", ") + "<code>" + file + "</code>";
  head += ".</p>\n" + (beside.empty() ? std::string() : "<p class=\"note\">Beside this page: " + beside + ".</p>\n");
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>adapt run report: " +
         esc(name) + "</title>\n" + kStyle + "</head>\n<body>\n<h1>adapt run report: " + esc(name) + "</h1>\n" + head +
         "<nav>" + nav + "</nav>\n" + body + "</body>\n</html>\n";
}

}  // namespace html_report_parts

const std::vector<std::string>& html_report_sections() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (const auto& s : html_report_parts::sections()) out.push_back(s.id);
    return out;
  }();
  return ids;
}

std::string html_report(const std::filesystem::path& run_dir) {
  using namespace html_report_parts;
  Run r{run_dir, read_json(run_dir / "run.json", true), read_json(run_dir / "metrics.json", false)};
  try {
    return page(r);
  } catch (const json::exception& e) {  // a field of another type than a run writes
    throw Error((run_dir / "run.json").string() + " or metrics.json beside it does not hold what a run writes (" +
                e.what() + "); train again, or rebuild the page from an unedited run directory");
  }
}

std::filesystem::path write_html_report(const std::filesystem::path& run_dir) {
  const auto file = run_dir / "report.html";
  write_text_atomically(file, html_report(run_dir));
  return file;
}

}  // namespace adapt
