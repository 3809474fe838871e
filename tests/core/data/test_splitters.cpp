// Splitters: sizes, determinism by seed, stratification, groups, columns, folders and index files.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "components/core_components.h"
#include "adapt/data/splitters.h"
#include "adapt/plugin/registry.h"
#include "core/support/data_fixtures.h"

using namespace adapt;
using adapt::testing::make_records;
using adapt::testing::TempDir;

namespace {

// Every row in exactly one part.
void expect_partition(const SplitIndices& s, size_t n) {
  std::vector<int> seen(n, 0);
  for (const auto* part : {&s.train, &s.valid, &s.test})
    for (size_t i : *part) {
      ASSERT_LT(i, n);
      ++seen[i];
    }
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "row " << i;
  EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
  EXPECT_TRUE(std::is_sorted(s.valid.begin(), s.valid.end()));
}

}  // namespace

TEST(RandomSplitter, SizesAndDeterminism) {
  Records r = make_records(1000);
  SplitIndices a = RandomSplitter(0.2, 42).split(r);
  expect_partition(a, 1000);
  EXPECT_EQ(a.valid.size(), 200u);
  EXPECT_EQ(a.train.size(), 800u);
  EXPECT_TRUE(a.test.empty());
  EXPECT_EQ(RandomSplitter(0.2, 42).split(r).valid, a.valid);
  EXPECT_NE(RandomSplitter(0.2, 43).split(r).valid, a.valid);

  SplitIndices b = RandomSplitter(0.1, 1, 0.25).split(r);
  expect_partition(b, 1000);
  EXPECT_EQ(b.valid.size(), 100u);
  EXPECT_EQ(b.test.size(), 250u);
  EXPECT_EQ(RandomSplitter(0.2, 1).split(make_records(7)).valid.size(), 1u);  // int(0.2 * 7), like fastai
  EXPECT_THROW(RandomSplitter(1.0, 1), OptionError);
}

TEST(StratifiedSplitter, KeepsClassProportions) {
  // 900 rows of "a", 100 of "b".
  Records r({"label"}, "imbalanced");
  for (int i = 0; i < 1000; ++i) r.add_row({i % 10 == 0 ? "b" : "a"});
  SplitIndices s = StratifiedSplitter("label", 0.2, 3).split(r);
  expect_partition(s, 1000);
  std::map<std::string, int> valid;
  for (size_t i : s.valid) ++valid[r.at(i, "label")];
  EXPECT_EQ(valid["a"], 180);
  EXPECT_EQ(valid["b"], 20);
  EXPECT_EQ(StratifiedSplitter("label", 0.2, 3).split(r).valid, s.valid);
  EXPECT_NE(StratifiedSplitter("label", 0.2, 4).split(r).valid, s.valid);
  EXPECT_THROW_WITH(StratifiedSplitter("klass", 0.2, 3).split(r), DataError, "\"klass\"", "\"label\"");
}

// Tune with a validation part, then refit on train+valid: the test rows must not move.
TEST(Splitters, TestRowsDoNotDependOnValidPct) {
  Records r({"label"}, "labels");
  for (int i = 0; i < 1000; ++i) r.add_row({i % 4 == 0 ? "b" : "a"});
  SplitIndices tuned = RandomSplitter(0.1, 42, 0.2).split(r), refit = RandomSplitter(0.0, 42, 0.2).split(r);
  EXPECT_EQ(tuned.test.size(), 200u);
  EXPECT_EQ(tuned.valid.size(), 100u);
  EXPECT_EQ(refit.test, tuned.test);
  EXPECT_TRUE(refit.valid.empty());
  SplitIndices stratified = StratifiedSplitter("label", 0.1, 7, 0.2).split(r);
  expect_partition(stratified, 1000);
  EXPECT_EQ(stratified.test.size(), 200u);
  EXPECT_EQ(StratifiedSplitter("label", 0.3, 7, 0.2).split(r).test, stratified.test);
}

TEST(GroupedSplitter, NeverSplitsAGroup) {
  Records r = make_records(500);  // groups of 5 rows
  for (uint64_t seed : {1, 2, 3}) {
    SplitIndices s = GroupedSplitter("group", 0.2, seed, 0.1).split(r);
    expect_partition(s, 500);
    std::map<std::string, std::set<int>> sides;
    for (size_t i : s.train) sides[r.at(i, "group")].insert(0);
    for (size_t i : s.valid) sides[r.at(i, "group")].insert(1);
    for (size_t i : s.test) sides[r.at(i, "group")].insert(2);
    for (const auto& [group, where] : sides) EXPECT_EQ(where.size(), 1u) << "group " << group << " was split";
    EXPECT_EQ(s.valid.size(), 100u);  // 20 whole groups of 5
    EXPECT_EQ(s.test.size(), 50u);
  }
  EXPECT_EQ(GroupedSplitter("group", 0.2, 9).split(r).valid, GroupedSplitter("group", 0.2, 9).split(r).valid);
  EXPECT_NE(GroupedSplitter("group", 0.2, 9).split(r).valid, GroupedSplitter("group", 0.2, 10).split(r).valid);
  Records one({"group"}, "one");
  one.add_row({"same"});
  one.add_row({"same"});
  EXPECT_THROW_WITH(GroupedSplitter("group", 0.2, 1).split(one), DataError, "1 group");
}

TEST(ColumnSplitter, ValuesMapToPartsAndUnknownValuesAreErrors) {
  Records r({"x", "is_valid"}, "cols.csv");
  r.add_row({"1", "False"}, "cols.csv:2");
  r.add_row({"2", "True"}, "cols.csv:3");
  r.add_row({"3", "false"}, "cols.csv:4");
  Registry registry;
  register_core_data(registry);
  auto by_column = registry.splitter({{"name", "core.by_column"}}, "splitter");
  SplitIndices s = by_column->split(r);
  EXPECT_EQ(s.train, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(s.valid, (std::vector<size_t>{1}));

  r.add_row({"4", "maybe"}, "cols.csv:5");
  EXPECT_THROW_WITH(by_column->split(r), DataError, "cols.csv:5", "\"is_valid\"", "\"maybe\"", "valid_values");

  Records parts({"split"}, "p");
  for (const char* v : {"train", "valid", "test", "train"}) parts.add_row({v});
  auto custom = registry.splitter({{"name", "core.by_column"}, {"column", "split"}}, "splitter");
  SplitIndices p = custom->split(parts);
  EXPECT_EQ(p.train, (std::vector<size_t>{0, 3}));
  EXPECT_EQ(p.valid, (std::vector<size_t>{1}));
  EXPECT_EQ(p.test, (std::vector<size_t>{2}));

  // Refit: validation rows join train when valid_values is explicitly empty; a list that matches
  // nothing stays an error.
  auto refit = registry.splitter({{"name", "core.by_column"}, {"column", "split"}, {"train_values", {"train", "valid"}},
                                  {"valid_values", json::array()}},
                                 "splitter");
  SplitIndices q = refit->split(parts);
  EXPECT_EQ(q.train, (std::vector<size_t>{0, 1, 3}));
  EXPECT_TRUE(q.valid.empty());
  EXPECT_EQ(q.test, (std::vector<size_t>{2}));
  auto typo = registry.splitter({{"name", "core.by_column"}, {"column", "split"}, {"valid_values", {"vaild"}},
                                 {"train_values", {"train", "valid"}}},
                                "splitter");
  EXPECT_THROW_WITH(typo->split(parts), DataError, "\"vaild\"", "check valid_values");
}

TEST(ColumnSplitter, ByFolderUsesTheFolderReadersSplitColumn) {
  Registry registry;
  register_core_data(registry);
  auto by_folder = registry.splitter({{"name", "core.by_folder"}}, "splitter");
  Records r({"path", "label", "split"}, "root");
  r.add_row({"train/a/1", "a", "train"});
  r.add_row({"valid/a/2", "a", "valid"});
  SplitIndices s = by_folder->split(r);
  EXPECT_EQ(s.train, (std::vector<size_t>{0}));
  EXPECT_EQ(s.valid, (std::vector<size_t>{1}));
  Records flat({"path", "label"}, "root");
  flat.add_row({"a/1", "a"});
  EXPECT_THROW_WITH(by_folder->split(flat), DataError, "\"split\"", "train/ valid/ test/", "core.random");
}

TEST(IndexFileSplitter, IndicesOrIdsFromFiles) {
  TempDir dir;
  Records r = make_records(10);
  const auto valid = dir.write("valid.txt", "# valid rows\n1\n3\n\n");
  const auto test = dir.write("test.txt", "5\r\n");
  SplitIndices s = IndexFileSplitter(valid, test).split(r);
  expect_partition(s, 10);
  EXPECT_EQ(s.valid, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(s.test, (std::vector<size_t>{5}));

  const auto ids = dir.write("ids.txt", "7\n8\n");
  EXPECT_EQ(IndexFileSplitter(ids, "", "id").split(r).valid, (std::vector<size_t>{7, 8}));

  const auto bad = dir.write("bad.txt", "1\nx\n");
  EXPECT_THROW_WITH(IndexFileSplitter(bad).split(r), DataError, "bad.txt:2", "\"x\"");
  const auto out_of_range = dir.write("far.txt", "10\n");
  EXPECT_THROW_WITH(IndexFileSplitter(out_of_range).split(r), DataError, "far.txt:1", "out of range");
  const auto unknown_id = dir.write("unknown.txt", "99\n");
  EXPECT_THROW_WITH(IndexFileSplitter(unknown_id, "", "id").split(r), DataError, "unknown.txt:1", "\"99\"");
  EXPECT_THROW_WITH(IndexFileSplitter(valid, valid).split(r), DataError, "both valid and test");
}

TEST(Splitters, RegistryOptionsAreValidated) {
  Registry registry;
  register_core_data(registry);
  EXPECT_THROW_WITH(registry.splitter({{"name", "core.random"}, {"valid_pct", 1.5}}, "splitter"), OptionError,
                    "splitter.valid_pct");
  EXPECT_THROW_WITH(registry.splitter({{"name", "core.random"}, {"valid_pct", 0.6}, {"test_pct", 0.5}}, "splitter"),
                    OptionError, "splitter.test_pct");
  auto seeded = registry.splitter({{"name", "core.random"}, {"seed", 7}}, "splitter");
  Records r = make_records(100);
  EXPECT_EQ(seeded->split(r).valid, RandomSplitter(0.2, 7).split(r).valid);
  EXPECT_THROW(registry.splitter({{"name", "core.grouped"}}, "splitter"), OptionError);  // column required
}
