// `adapt report RUN_DIR`: builds the page `adapt train` wrote again, byte for byte, from the run
// directory's files; a directory without a finished run is an error naming run.json.
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace report_command_test {

using namespace cli_test;

// A finished run of core components, trained once for the tests below.
fs::path trained_run() {
  static const fs::path run = [] {
    const fs::path dir = scratch() / "report";
    Result t = adapt_cli("train '" + write_points_recipe(dir).string() + "' --out '" + (dir / "run").string() + "'");
    EXPECT_EQ(t.code, 0) << t.err;
    return dir / "run";
  }();
  return run;
}

}  // namespace report_command_test

using namespace report_command_test;

TEST(ReportCommand, BuildsTheRunsPageAgainByteForByte) {
  const fs::path run = trained_run();
  const fs::path page = run / "report.html";
  ASSERT_TRUE(fs::exists(page));
  const std::string written = slurp(page);
  EXPECT_TRUE(contains(written, "<section id=\"verdict\">")) << written.substr(0, 2000);
  fs::remove(page);
  Result r = adapt_cli("report '" + run.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "wrote " + page.string())) << r.out;
  EXPECT_EQ(slurp(page), written);

  Result j = adapt_cli("--json report '" + run.string() + "'");
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_EQ(nlohmann::json::parse(j.out)["report"], page.string()) << j.out;
}

TEST(ReportCommand, ADirectoryWithoutAFinishedRunIsAnErrorNamingRunJson) {
  const fs::path empty = scratch() / "report-empty";
  fs::create_directories(empty);
  Result r = adapt_cli("report '" + empty.string() + "'");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, (empty / "run.json").string())) << r.err;
  EXPECT_FALSE(fs::exists(empty / "report.html"));
  EXPECT_EQ(adapt_cli("report").code, 2);  // RUN_DIR is required
}
