// A run directory belongs to one run, and --resume continues only what it can: a second run into a
// locked directory, --resume without a checkpoint, and a checkpoint another recipe wrote are refused
// (each used to mix files, or retrain silently, or resume recipe A from recipe B's checkpoint).
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "adapt/run/run_lock.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"
#include "support/quiet_run.h"

using namespace adapt;
using namespace adapt::testing;

using adapt::test_support::quiet_run;

TEST(RunSafety, ASecondRunIntoALockedDirectoryIsRefusedWithThePid) {
  TempDir dir("run_lock");
  std::ostringstream out;
  RunDirectoryLock held(dir.path / "run");
  EXPECT_THROW_WITH(train_recipe(rings_recipe(dir.path, 200, 1), quiet_run(dir.path / "run", out), core_test_registry()),
                    Error, "in use by another adapt run", "pid " + std::to_string(::getpid()), "--out");
}

TEST(RunSafety, TheLockIsReleasedWhenTheRunEnds) {
  TempDir dir("run_lock_release");
  std::ostringstream out;
  train_recipe(rings_recipe(dir.path, 200, 1), quiet_run(dir.path / "run", out), core_test_registry());
  RunDirectoryLock after(dir.path / "run");  // would throw if the run still held it
}

TEST(RunSafety, ResumeWithoutACheckpointStopsUnlessResumeOrStart) {
  TempDir dir("run_resume_none");
  std::ostringstream out;
  RunOptions options = quiet_run(dir.path / "run", out);
  options.resume = true;
  EXPECT_THROW_WITH(train_recipe(rings_recipe(dir.path, 200, 1), options, core_test_registry()), Error,
                    "no checkpoint", "--resume-or-start");
  options.resume_or_start = true;
  RunResult run = train_recipe(rings_recipe(dir.path, 200, 1), options, core_test_registry());
  EXPECT_TRUE(std::filesystem::exists(run.model_file));
}

TEST(RunSafety, ResumeRefusesAnotherRecipesCheckpoint) {
  TempDir dir("run_resume_other");
  std::ostringstream out;
  json a = rings_recipe(dir.path, 200, 2);
  a["train"]["checkpoint"] = {{"every_epochs", 1}};
  train_recipe(a, quiet_run(dir.path / "run", out), core_test_registry());
  json b = a;
  b["model"]["dropout"] = 0.3;  // same shapes: before, it resumed silently from a's weights
  json c = a;
  c["model"]["layers"] = {7};
  RunOptions options = quiet_run(dir.path / "run", out);
  options.resume = true;
  EXPECT_THROW_WITH(train_recipe(b, options, core_test_registry()), Error, "written by another recipe",
                    "checkpoint.pt");
  EXPECT_THROW_WITH(train_recipe(c, options, core_test_registry()), Error, "written by another recipe");
  EXPECT_NO_THROW(train_recipe(a, options, core_test_registry()));  // its own recipe resumes
}

TEST(RunSafety, AFinishedRunIsReplacedOnlyWithForce) {
  TempDir dir("run_finished");
  std::ostringstream out;
  RunOptions options = quiet_run(dir.path / "run", out);
  train_recipe(rings_recipe(dir.path, 200, 1), options, core_test_registry());
  const auto record = dir.path / "run" / "run.json";
  const auto first = std::filesystem::last_write_time(record);
  // Before, a second run silently replaced the first one's model and record.
  EXPECT_THROW_WITH(train_recipe(rings_recipe(dir.path, 200, 1), options, core_test_registry()), Error,
                    "holds a finished run", "--force", "--resume", "another --out");
  EXPECT_EQ(std::filesystem::last_write_time(record), first);
  options.overwrite = true;
  EXPECT_NO_THROW(train_recipe(rings_recipe(dir.path, 200, 1), options, core_test_registry()));
}
