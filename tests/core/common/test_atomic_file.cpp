#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <fstream>
#include <sstream>

#include "adapt/common/atomic_file.h"
#include "core/support/learner_fixtures.h"

using namespace adapt;
using adapt::testing::TempDir;

namespace {
std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
size_t files_in(const std::filesystem::path& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}
}  // namespace

TEST(AtomicFile, WritesAndReplaces) {
  TempDir dir("atomic");
  auto target = dir.path / "sub" / "file.txt";
  write_text_atomically(target, "first");
  EXPECT_EQ(read_all(target), "first");
  write_text_atomically(target, "second, longer");
  EXPECT_EQ(read_all(target), "second, longer");
  EXPECT_EQ(files_in(dir.path / "sub"), 1u);  // no temporary left behind
}

TEST(AtomicFile, WriterThrowingBetweenWriteAndRenameKeepsTheOldFile) {
  TempDir dir("atomic");
  auto target = dir.path / "model.bin";
  write_text_atomically(target, "old contents");
  EXPECT_THROW(write_atomically(target,
                                [](const std::filesystem::path& temp) {
                                  std::ofstream(temp) << "half written new contents";
                                  throw Error("simulated crash after the write, before the rename");
                                }),
               Error);
  EXPECT_EQ(read_all(target), "old contents");
  EXPECT_EQ(files_in(dir.path), 1u);  // the temporary was removed
}

TEST(AtomicFile, TemporaryIsInTheTargetDirectory) {
  TempDir dir("atomic");
  auto target = dir.path / "x.txt";
  std::filesystem::path seen;
  write_atomically(target, [&](const std::filesystem::path& temp) {
    seen = temp;
    std::ofstream(temp) << "x";
  });
  EXPECT_EQ(seen.parent_path(), target.parent_path());
  EXPECT_NE(seen, target);
  EXPECT_FALSE(std::filesystem::exists(seen));
}

TEST(AtomicFile, WriterThatCreatesNothingIsAnError) {
  TempDir dir("atomic");
  EXPECT_THROW(write_atomically(dir.path / "never.txt", [](const std::filesystem::path&) {}), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path / "never.txt"));
}

TEST(AtomicFile, TemporariesOfKilledWritersAreRemovedByTheNextWrite) {
  TempDir dir("atomic_stale");
  const auto target = dir.path / "model.adapt";
  // pid 2^22+1 is above Linux's pid_max default: no such process; our own pid's temporary stays.
  const auto stale = dir.path / ".model.adapt.tmp.4194305.0";
  const auto ours = dir.path / (".model.adapt.tmp." + std::to_string(::getpid()) + ".999");
  const auto other_target = dir.path / ".history.csv.tmp.4194305.0";
  for (const auto& p : {stale, ours, other_target}) std::ofstream(p) << "partial";
  write_text_atomically(target, "new");
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(ours));
  EXPECT_TRUE(std::filesystem::exists(other_target));  // another target's: not ours to judge now
  EXPECT_EQ(read_all(target), "new");
}

// A file-size limit (RLIMIT_FSIZE, which needs no root) fails writes the way a full disk does: the
// save is an Error naming the file and its size, the old file stays, no temporary is left.
TEST(AtomicFile, AWriteThatCannotCompleteIsAnErrorAndLeavesNothing) {
  TempDir dir("atomic_full");
  const auto target = dir.path / "checkpoint.pt";
  write_text_atomically(target, "old");
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message;
  try {
    write_text_atomically(target, std::string(1 << 20, 'x'));
  } catch (const Error& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(message.find("cannot write " + target.string() + " (1.0 MB)"), std::string::npos) << message;
  EXPECT_NE(message.find("free on its file system"), std::string::npos) << message;
  EXPECT_EQ(read_all(target), "old");
  EXPECT_EQ(files_in(dir.path), 1u) << "a temporary was left behind";
}
