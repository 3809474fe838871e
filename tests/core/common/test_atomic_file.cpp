#include <gtest/gtest.h>

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
