// core.folder and core.csv readers, their registry entries, and the default read_inputs.
#include <gtest/gtest.h>

#include "components/core_components.h"
#include "adapt/data/readers.h"
#include "adapt/plugin/registry.h"
#include "core/support/data_fixtures.h"

using namespace adapt;
using adapt::testing::TempDir;

namespace {
Registry data_registry() {
  Registry r;
  register_core_data(r);
  return r;
}
}  // namespace

TEST(FolderReader, LabelsAreParentFoldersSortedByPath) {
  TempDir dir;
  dir.write("dog/b.wav", "x");
  dir.write("cat/a.WAV", "x");
  dir.write("dog/a.wav", "x");
  dir.write("dog/notes.txt", "x");
  dir.write("cat/.hidden.wav", "x");
  dir.write("cat/deeper/c.wav", "x");  // label is the immediate parent folder
  FolderReader reader(FolderReaderOptions(dir.path.string()).extensions({"wav"}));
  Records r = reader.read();
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"path", "label"}));
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r.at(0, "path"), (dir.path / "cat/a.WAV").string());
  EXPECT_EQ(r.column("label"), (std::vector<std::string>{"cat", "deeper", "dog", "dog"}));
  EXPECT_EQ(r.origin(3), (dir.path / "dog/b.wav").string());
}

TEST(FolderReader, SplitLayoutWritesSplitColumn) {
  TempDir dir;
  dir.write("train/yes/1.txt", "x");
  dir.write("train/no/2.txt", "x");
  dir.write("valid/yes/3.txt", "x");
  dir.write("test/no/4.txt", "x");
  dir.write("models/old/5.txt", "x");  // not a split folder: ignored in the split layout
  Records r = FolderReader(FolderReaderOptions(dir.path.string())).read();
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"path", "label", "split"}));
  EXPECT_EQ(r.column("split"), (std::vector<std::string>{"train", "train", "valid", "test"}));
  EXPECT_EQ(r.column("label"), (std::vector<std::string>{"no", "yes", "yes", "no"}));
}

TEST(FolderReader, ClearErrors) {
  TempDir dir;
  EXPECT_THROW_WITH(FolderReader(FolderReaderOptions((dir.path / "missing").string())).read(), DataError,
                    "missing", "not a folder");
  dir.write("a/x.png", "x");
  EXPECT_THROW_WITH(FolderReader(FolderReaderOptions(dir.path.string()).extensions({".wav"})).read(), DataError,
                    "no files", ".wav");
  dir.write("loose.png", "x");
  EXPECT_THROW_WITH(FolderReader(FolderReaderOptions(dir.path.string())).read(), DataError, "loose.png",
                    "class folder");
}

TEST(CsvReader, ReadsThroughTheRegistryWithOptions) {
  TempDir dir;
  const auto path = dir.write("d.tsv", "text\tlabel\textra\n\"a\tb\"\tpos\t1\nc\tneg\t2\n");
  Registry registry = data_registry();
  auto reader = registry.reader(
      {{"name", "core.csv"}, {"path", path}, {"delimiter", "tab"}, {"columns", {"label", "text"}}}, "reader");
  Records r = reader->read();
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"label", "text"}));
  EXPECT_EQ(r.at(0, "text"), "a\tb");
  EXPECT_EQ(r.origin(1), path + ":3");

  EXPECT_THROW_WITH(registry.reader({{"name", "core.csv"}, {"path", path}, {"delimiter", "::"}}, "reader"),
                    OptionError, "reader.delimiter", "\"::\"");
  EXPECT_THROW(registry.reader({{"name", "core.csv"}}, "reader"), OptionError);  // path is required
  const auto empty = dir.write("e.csv", "a,b\n");
  EXPECT_THROW_WITH(CsvReader(CsvReaderOptions(empty)).read(), DataError, "e.csv", "no rows");
}

// Official splits as separate files: the reader reads each one, and a split column says its part.
TEST(SplitFiles, EveryReaderWithAPathReadsTrainValidAndTestFiles) {
  TempDir dir;
  const auto train = dir.write("train.csv", "a,label\n1,x\n2,y\n3,x\n");
  const auto valid = dir.write("valid.csv", "a,label\n4,y\n");
  const auto test = dir.write("test.csv", "a,label\n5,x\n6,y\n");
  Registry registry = data_registry();
  const json spec = {{"name", "core.csv"}, {"path", train}, {"valid_path", valid}, {"test_path", test}};
  registry.options(Kind::reader, spec, "reader");  // the core's keys validate
  Records r = registry.reader(spec, "reader")->read();
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"a", "label", "split"}));
  EXPECT_EQ(r.column("split"), (std::vector<std::string>{"train", "train", "train", "valid", "test", "test"}));
  EXPECT_EQ(r.column("a"), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
  EXPECT_EQ(r.origin(4), test + ":2");
  EXPECT_EQ(r.source(), train + " + " + valid + " + " + test);

  json named = spec;
  named["split_column"] = "part";
  named.erase("valid_path");
  EXPECT_EQ(registry.reader(named, "reader")->read().column("part").back(), "test");

  const auto other = dir.write("other.csv", "b,label\n1,x\n");
  EXPECT_THROW_WITH(registry.reader({{"name", "core.csv"}, {"path", train}, {"test_path", other}}, "reader")->read(),
                    DataError, "other.csv", "[b, label]", "[a, label]", "same columns");
  const auto has_split = dir.write("s.csv", "a,split\n1,x\n");
  EXPECT_THROW_WITH(
      registry.reader({{"name", "core.csv"}, {"path", has_split}, {"test_path", has_split}}, "reader")->read(),
      DataError, "already has a column \"split\"", "split_column");
  EXPECT_THROW_WITH(registry.options(Kind::reader, {{"name", "core.csv"}, {"path", train}, {"test_path", 3}}, "reader"),
                    OptionError, "reader.test_path");
  // core.folder reads its own split folders: the core adds nothing to it.
  EXPECT_THROW_WITH(
      registry.options(Kind::reader, {{"name", "core.folder"}, {"path", "x"}, {"test_path", "y"}}, "reader"),
      OptionError, "reader.test_path", "unknown option");
}

TEST(Reader, DefaultReadInputsPutsEachInputInItsOwnRow) {
  CsvReader reader{CsvReaderOptions("unused.csv")};
  Records r = reader.read_inputs({"a.wav", "b.wav"}, "path");
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"path"}));
  EXPECT_EQ(r.column("path"), (std::vector<std::string>{"a.wav", "b.wav"}));
  EXPECT_EQ(r.origin(1), "input 2");
}

TEST(CoreDataComponents, RegistersEveryComponentWithDocumentedOptions) {
  Registry registry = data_registry();
  for (const char* name : {"core.folder", "core.csv"}) EXPECT_TRUE(registry.has(Kind::reader, name)) << name;
  for (const char* name : {"core.random", "core.stratified", "core.by_column", "core.by_folder", "core.index_files",
                           "core.grouped"})
    EXPECT_TRUE(registry.has(Kind::splitter, name)) << name;
  for (const char* name : {"core.category", "core.multi_category", "core.regression"})
    EXPECT_TRUE(registry.has(Kind::block, name)) << name;
  EXPECT_TRUE(registry.has(Kind::transform, "core.gaussian_noise"));
  for (const auto& info : registry.components()) {
    EXPECT_FALSE(info.help.empty()) << info.name;
    for (const auto& option : info.options) EXPECT_FALSE(option.help().empty()) << info.name << "." << option.name();
  }
}

// Real data: UCI Adult (no header, ", " separators, a "|" comment line in the test file) and the
// SMS Spam Collection (TSV of free text with stray quotes).
TEST(CsvRealData, UciAdultAndSmsSpam) {
  const std::string root = adapt::testing::data_dir();
  if (root.empty()) GTEST_SKIP() << "ADAPT_DATA_DIR is not set";
  const std::vector<std::string> names = {"age", "workclass", "fnlwgt", "education", "education_num",
                                          "marital_status", "occupation", "relationship", "race", "sex",
                                          "capital_gain", "capital_loss", "hours_per_week", "native_country",
                                          "income"};
  CsvOptions adult;
  adult.header(false).trim(true).comment("|").column_names(names);
  Records train = read_csv_file(root + "/tabular/uci-adult/adult.data", adult);
  Records test = read_csv_file(root + "/tabular/uci-adult/adult.test", adult);
  EXPECT_EQ(train.size(), 32561u);
  EXPECT_EQ(test.size(), 16281u);
  EXPECT_EQ(train.at(0, "workclass"), "State-gov");
  EXPECT_EQ(test.at(0, "income"), "<=50K.");
  size_t rich = 0;
  for (const auto& v : train.column("income")) rich += v == ">50K";
  EXPECT_EQ(rich, 7841u);  // adult.names: 23.93% of 32561 rows are >50K

  CsvOptions sms;
  sms.header(false).delimiter('\t').quote('\0').column_names({"label", "text"});
  Records messages = read_csv_file(root + "/text/sms-spam-collection/SMSSpamCollection", sms);
  EXPECT_EQ(messages.size(), 5574u);
  size_t spam = 0;
  for (const auto& v : messages.column("label")) spam += v == "spam";
  EXPECT_EQ(spam, 747u);
}
