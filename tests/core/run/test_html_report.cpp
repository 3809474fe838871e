// report.html: written by every run, built from the run directory's files alone (so a rebuild gives the
// same page), each section present exactly when the run has what it shows, every string from the data
// escaped; and, where Debian's chromium is installed, rendered by a real browser without errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "adapt/run/html_report.h"
#include "adapt/report/plot.h"
#include "core/support/learner_fixtures.h"

namespace html_report_test {

using namespace adapt;
using namespace adapt::testing;
namespace fs = std::filesystem;

// A class name that breaks HTML unless escaped.
const std::string kNastyLabel = "<b>&\"x\"";
const std::string kNastyLabelEscaped = "&lt;b&gt;&amp;&quot;x&quot;";

std::string slurp_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Three classes by radius (one named kNastyLabel), a slice column, and every row twice so that the
// data checks warn about rows shared by train and valid.
std::string report_csv(size_t n) {
  std::mt19937_64 engine(5);
  std::normal_distribution<double> normal;
  std::ostringstream csv;
  csv.precision(6);
  csv << "x1,x2,group,label\n";
  for (size_t i = 0; i < n; ++i) {
    const double a = normal(engine), b = normal(engine), r = std::sqrt(a * a + b * b);
    const std::string label = r < 0.8 ? "inner" : r < 1.5 ? "ring" : "\"<b>&\"\"x\"\"\"";
    for (int copy = 0; copy < 2; ++copy)
      csv << a << "," << b << "," << (i % 3 == 0 ? "g1" : "g2") << "," << label << "\n";
  }
  return csv.str();
}

json report_recipe(const fs::path& dir) {
  write_file(dir / "points.csv", report_csv(200));
  return {
      {"seed", 3},
      {"reader", {{"name", "core.csv"}, {"path", (dir / "points.csv").string()}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.25}}},
      {"inputs", json::array({{{"name", "core.regression"}, {"columns", {"x1", "x2"}}, {"normalize", true}}})},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"loader", {{"batch_size", 32}, {"workers", 0}}},
      {"model", {{"name", "core.mlp"}, {"layers", {16}}}},
      {"metrics", {"core.accuracy"}},
      {"train", {{"epochs", 3}, {"lr", 1e-2}}},
      {"baselines", json::array({{{"name", "core.logistic"}}})},
      {"interpret", {{"top_losses", 5}}},
      {"slices", {"group"}},
      {"sanity", true},
  };
}

// One tiny run shared by the tests of this file (trained once per process).
struct TrainedRun {
  TempDir dir{"html_report"};
  fs::path run_dir = dir.path / "run";
  std::string log;
};

const TrainedRun& trained_run() {
  static TrainedRun* run = [] {
    auto* r = new TrainedRun();
    std::ostringstream out;
    RunOptions options;
    options.out_dir = r->run_dir;
    options.out = &out;
    options.progress = false;
    train_recipe(report_recipe(r->dir.path), options, core_test_registry());
    r->log = out.str();
    return r;
  }();
  return *run;
}

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// The figures the run drew (each is inlined once).
size_t svg_files(const fs::path& dir) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) n += entry.path().extension() == ".svg";
  return n;
}

bool has_section(const std::string& html, const std::string& id) {
  return html.find("<section id=\"" + id + "\">") != std::string::npos;
}

}  // namespace html_report_test

using namespace html_report_test;

TEST(HtmlReport, EveryRunWritesItWithTheSectionsItHasAndOnlyThose) {
  const TrainedRun& run = trained_run();
  const fs::path file = run.run_dir / "report.html";
  ASSERT_TRUE(fs::exists(file)) << run.log;
  EXPECT_NE(run.log.find("report " + file.string()), std::string::npos) << run.log;
  const std::string html = slurp_file(file);
  for (const char* id : {"verdict", "data-audit", "curves", "confusion", "top-losses", "slices", "calibration",
                         "sanity", "out-of-domain", "model-summary", "model-card"})
    EXPECT_TRUE(has_section(html, id)) << id;
  EXPECT_NE(html.find("<code>ood_score</code> (mahalanobis and energy, the largest)"), std::string::npos);
  // No lr_find (a fixed lr), no plugin reports: left out, not shown empty.
  for (const char* id : {"lr-find", "reports"}) EXPECT_FALSE(has_section(html, id)) << id;
  for (const auto& id : html_report_sections())
    EXPECT_EQ(html.find("href=\"#" + id + "\"") != std::string::npos, has_section(html, id)) << id;
  // Self-contained: the figures inline, nothing to fetch, no script.
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  // loss, metrics, confusion matrix, slices by group (valid) and reliability
  EXPECT_EQ(svg_files(run.run_dir), 5u);
  // ... and one bar chart per explained top loss (top_losses_explained.json: every part of each).
  const json explained = json::parse(slurp_file(run.run_dir / "top_losses_explained.json"));
  ASSERT_EQ(explained.size(), 5u);
  for (const auto& e : explained) {
    ASSERT_EQ(e["parts"].size(), 2u);
    EXPECT_EQ(e["parts"][0]["part"].get<std::string>().rfind("x1=", 0), 0u) << e.dump();
    EXPECT_EQ(e["explained"], "p(" + e["predicted"].get<std::string>() + ")") << e.dump();
  }
  EXPECT_EQ(count_of(html, "<svg"), 5u + explained.size());
  EXPECT_EQ(count_of(html, "<section class=\"explanation\">"), explained.size());
  for (const char* fetched : {"<script", "<img", "<link", "src=", "https://", "url("})
    EXPECT_EQ(html.find(fetched), std::string::npos) << fetched;
  EXPECT_EQ(count_of(html, "http://"), count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));  // names, not fetches
  EXPECT_LT(html.size(), 200u * 1024);
  // What the run measured is on the page: the verdict, the baseline, the sanity runs' verdict.
  const json record = json::parse(slurp_file(run.run_dir / "run.json"));
  for (const auto& verdict : record["verdicts"])
    EXPECT_NE(html.find(xml_escape(verdict.get<std::string>())), std::string::npos);
  EXPECT_NE(html.find("core.logistic"), std::string::npos);
  EXPECT_NE(html.find("no test part"), std::string::npos);
  EXPECT_NE(html.find("Known limits"), std::string::npos);
  EXPECT_NE(html.find("Intended use"), std::string::npos);
  EXPECT_NE(html.find("<code>core.category</code> (label)"), std::string::npos);
}

TEST(HtmlReport, EscapesEveryStringFromTheData) {
  const std::string html = slurp_file(trained_run().run_dir / "report.html");
  EXPECT_EQ(html.find(kNastyLabel), std::string::npos);
  EXPECT_NE(html.find(kNastyLabelEscaped), std::string::npos);
  // Every tag on the page is one the report writes (no markup came from the data).
  const std::set<std::string> allowed = {
      "!DOCTYPE", "html",  "head",    "meta",     "title",  "style",  "body",       "h1",    "h2",   "h3", "h4", "p",
      "nav",      "a",     "section", "ul",       "li",     "table",  "thead",      "tbody", "tr",   "th", "td",
      "br",       "small", "span",    "code",     "pre",    "figure", "figcaption", "dl",    "dt",   "dd", "svg", "div",
      "rect",     "text",  "line",    "polyline", "circle", "g",      "path",       "tspan", "title"};
  const std::regex tag("<([!A-Za-z][A-Za-z0-9]*)");
  for (std::sregex_iterator it(html.begin(), html.end(), tag), end; it != end; ++it)
    EXPECT_TRUE(allowed.count((*it)[1].str())) << (*it)[1].str();
}

TEST(HtmlReport, IsBuiltFromTheRunDirectoryAloneSoARebuildIsTheSamePage) {
  const TrainedRun& run = trained_run();
  const std::string written = slurp_file(run.run_dir / "report.html");
  // A copy of the directory elsewhere gives the same page (only its name in the title differs).
  TempDir copy("html_report_copy");
  fs::copy(run.run_dir, copy.path / "run", fs::copy_options::recursive);
  fs::remove(copy.path / "run" / "report.html");
  const auto start = std::chrono::steady_clock::now();
  const fs::path rebuilt = write_html_report(copy.path / "run");
  // The issue's budget: at most 1 s (or 2% of the run); a tiny run's page takes milliseconds.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
  EXPECT_EQ(slurp_file(rebuilt), written);
}

TEST(HtmlReport, LeavesOutWhatARunDidNotRecord) {
  TempDir dir("html_report_minimal");
  write_file(dir.path / "run.json", json{{"seed", 1},
                                         {"metrics", {{"valid", {{"loss", 0.5}}}}},
                                         {"baselines", json::object()},
                                         {"verdicts", json::array()},
                                         {"warnings", json::array()},
                                         {"data", {{"records", 10}, {"source", "a<b.csv"}}}}
                                        .dump());
  const std::string html = html_report(dir.path);
  EXPECT_TRUE(has_section(html, "verdict"));
  EXPECT_TRUE(has_section(html, "model-card"));
  for (const char* id : {"data-audit", "curves", "lr-find", "confusion", "top-losses", "slices", "calibration",
                         "sanity", "out-of-domain", "reports", "model-summary"})
    EXPECT_FALSE(has_section(html, id)) << id;
  EXPECT_NE(html.find("a&lt;b.csv"), std::string::npos);
  // A plugin's own figure and table are shown; an SVG with a script is not inlined.
  write_file(dir.path / "feature_importance.csv", "feature,importance\nx1,0.5\n");
  write_file(dir.path / "extra.svg",
             "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>");
  write_file(dir.path / "bad.svg", "<svg onload=\"alert(1)\"></svg>");
  write_file(dir.path / "lr_find_phase1.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>");
  const std::string more = html_report(dir.path);
  EXPECT_TRUE(has_section(more, "reports"));
  EXPECT_TRUE(has_section(more, "lr-find"));
  EXPECT_NE(more.find("feature_importance.csv"), std::string::npos);
  EXPECT_NE(more.find("extra.svg"), std::string::npos);
  EXPECT_EQ(more.find("onload"), std::string::npos);
}

TEST(HtmlReport, NamesTheMissingOrBrokenRecord) {
  TempDir dir("html_report_missing");
  try {
    html_report(dir.path);
    FAIL() << "no run.json";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path / "run.json").string()), std::string::npos) << e.what();
  }
  write_file(dir.path / "run.json", "{\"seed\": ");
  try {
    html_report(dir.path);
    FAIL() << "truncated run.json";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
}

// Debian's chromium renders the page headless: every section in the DOM, no <img> (all figures are
// inline SVG), nothing fetched, no console message; the screenshot is kept beside the page to look at.
TEST(HtmlReportBrowser, RendersInHeadlessChromiumWithoutErrors) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) GTEST_SKIP() << "chromium is not installed";
  const TrainedRun& run = trained_run();
  const fs::path page = fs::absolute(run.run_dir / "report.html");
  const fs::path dom = run.dir.path / "dom.html", log = run.dir.path / "chromium.log",
                 shot = run.dir.path / "report.png", profile = run.dir.path / "chromium-profile";
  const std::string chromium = "timeout 120 chromium --headless --disable-gpu --no-sandbox --user-data-dir='" +
                               profile.string() + "' --enable-logging=stderr --v=0 ";
  ASSERT_EQ(std::system((chromium + "--dump-dom 'file://" + page.string() + "' >'" + dom.string() + "' 2>'" +
                         log.string() + "'")
                            .c_str()),
            0)
      << slurp_file(log);
  const std::string html = slurp_file(page), rendered = slurp_file(dom), messages = slurp_file(log);
  for (const auto& id : html_report_sections()) {
    if (has_section(html, id)) {
      EXPECT_NE(rendered.find("id=\"" + id + "\""), std::string::npos) << id;
    }
  }
  // The run's figures and one bar chart per explained top loss.
  EXPECT_EQ(count_of(rendered, "<svg"), svg_files(run.run_dir) + count_of(html, "<section class=\"explanation\">"));
  EXPECT_EQ(rendered.find("<img"), std::string::npos);
  // Console messages (errors, uncaught exceptions) are logged as ":CONSOLE"; failed loads as net errors.
  EXPECT_EQ(messages.find(":CONSOLE"), std::string::npos) << messages;
  EXPECT_EQ(messages.find("Uncaught"), std::string::npos) << messages;
  EXPECT_EQ(messages.find("ERR_FILE_NOT_FOUND"), std::string::npos) << messages;
  ASSERT_EQ(std::system((chromium + "--window-size=1280,4000 --screenshot='" + shot.string() + "' 'file://" +
                         page.string() + "' >/dev/null 2>>'" + log.string() + "'")
                            .c_str()),
            0)
      << slurp_file(log);
  ASSERT_TRUE(fs::exists(shot));
  EXPECT_GT(fs::file_size(shot), 20000u);  // a drawn page, not a blank one
  if (const char* keep = std::getenv("ADAPT_KEEP_REPORT_SCREENSHOT"))
    fs::copy_file(shot, keep, fs::copy_options::overwrite_existing);
}
