// tabular.csv: UCI-style files (no header, ", " separators, "?" markers, a comment line, labels with a
// trailing '.'), a separate test file with a split column, prediction inputs, and ragged rows.
#include <fstream>

#include "adapt/data/reader.h"
#include "tabular_test_util.h"

namespace adapt {
namespace {

using tabular_test::registry;

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

std::shared_ptr<Reader> make_reader(const json& options) {
  json spec = options;
  spec["name"] = "tabular.csv";
  return registry().reader(spec, "reader");
}

TEST(CsvTableReader, ReadsUciStyleFilesWithATestFile) {
  const auto dir = tabular_test::temp_dir("reader_uci");
  write(dir / "train.data", "39, State-gov, 13, <=50K\n50, ?, 9, >50K\n\n");
  write(dir / "test.data", "|1x3 Cross validator\n25, Private, NA, <=50K.\n");
  auto reader = make_reader({{"path", (dir / "train.data").string()},
                             {"test_path", (dir / "test.data").string()},
                             {"header", false},
                             {"column_names", {"age", "workclass", "edu", "income"}},
                             {"comment", "|"},
                             {"strip_suffix", "."}});
  const Records records = reader->read();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.column_names(), (std::vector<std::string>{"age", "workclass", "edu", "income", "split"}));
  EXPECT_EQ(records.at(0, "workclass"), "State-gov");  // leading space trimmed
  EXPECT_EQ(records.at(1, "workclass"), "");           // "?" is missing
  EXPECT_EQ(records.at(2, "edu"), "");                 // "NA" is missing
  EXPECT_EQ(records.at(2, "income"), "<=50K");         // trailing '.' stripped
  EXPECT_EQ(records.at(0, "split"), "train");
  EXPECT_EQ(records.at(2, "split"), "test");
  EXPECT_NE(records.origin(2).find("test.data:2"), std::string::npos) << records.origin(2);
}

TEST(CsvTableReader, ValidPctMarksASeededSampleOfTheTrainingFile) {
  const auto dir = tabular_test::temp_dir("reader_valid");
  std::string text = "a,b\n";
  for (int i = 0; i < 100; ++i) text += std::to_string(i) + ",x\n";
  write(dir / "t.csv", text);
  write(dir / "test.csv", "a,b\n1,y\n");
  const json options = {{"path", (dir / "t.csv").string()}, {"test_path", (dir / "test.csv").string()}, {"valid_pct", 0.25}};
  const Records a = make_reader(options)->read(), b = make_reader(options)->read();
  size_t valid = 0, test = 0;
  for (size_t r = 0; r < a.size(); ++r) {
    valid += a.at(r, "split") == "valid";
    test += a.at(r, "split") == "test";
    EXPECT_EQ(a.at(r, "split"), b.at(r, "split"));  // same seed, same rows
  }
  EXPECT_EQ(valid, 25u);
  EXPECT_EQ(test, 1u);
  EXPECT_EQ(a.at(100, "split"), "test");  // test rows are never drawn for validation
}

TEST(CsvTableReader, HeaderFileAndCustomMissingMarkers) {
  const auto dir = tabular_test::temp_dir("reader_header");
  write(dir / "t.csv", "a,b\n1,none\n2,x\n");
  auto reader = make_reader({{"path", (dir / "t.csv").string()}, {"missing_values", {"none"}}});
  const Records records = reader->read();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at(0, "b"), "");
  EXPECT_FALSE(records.has_column("split"));
}

TEST(CsvTableReader, RaggedRowNamesFileAndLine) {
  const auto dir = tabular_test::temp_dir("reader_ragged");
  write(dir / "t.csv", "a,b,c\n1,2,3\n4,5\n");
  auto reader = make_reader({{"path", (dir / "t.csv").string()}});
  tabular_test::expect_error<DataError>([&] { reader->read(); }, {"t.csv:3"});
}

TEST(CsvTableReader, TestFileWithOtherColumnsIsAnError) {
  const auto dir = tabular_test::temp_dir("reader_cols");
  write(dir / "a.csv", "x,y\n1,2\n");
  write(dir / "b.csv", "x,z\n1,2\n");
  auto reader = make_reader({{"path", (dir / "a.csv").string()}, {"test_path", (dir / "b.csv").string()}});
  tabular_test::expect_error<DataError>([&] { reader->read(); }, {"b.csv", "x, z", "x, y", "same columns"});
  auto missing = make_reader({{"path", (dir / "nope.csv").string()}});
  tabular_test::expect_error<DataError>([&] { missing->read(); }, {"nope.csv", "does not exist"});
  tabular_test::expect_error<OptionError>([&] { make_reader({{"path", "a.csv"}, {"header", false}}); },
                                          {"column_names"});
}

TEST(CsvTableReader, PredictionInputs) {
  const auto dir = tabular_test::temp_dir("reader_inputs");
  write(dir / "rows.csv", "age,workclass\n30,Private\n");
  auto named = make_reader({{"path", "unused.csv"}});
  const Records a = named->read_inputs({"age=41, workclass= ?", (dir / "rows.csv").string()}, "");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.at(0, "age"), "41");
  EXPECT_EQ(a.at(0, "workclass"), "");
  EXPECT_EQ(a.at(1, "workclass"), "Private");
  tabular_test::expect_error<DataError>([&] { named->read_inputs({"41,Private"}, ""); }, {"column=value"});
  // A row longer than a file name may be (255 bytes) is a row, not a filesystem error.
  const std::string long_row = "age=41,workclass=" + std::string(300, 'x');
  EXPECT_EQ(named->read_inputs({long_row}, "").at(0, "workclass"), std::string(300, 'x'));

  auto positional = make_reader({{"path", "unused.csv"}, {"header", false}, {"column_names", {"age", "workclass", "income"}}});
  const Records b = positional->read_inputs({"41, Self-emp"}, "");  // the target may be left out
  EXPECT_EQ(b.column_names(), (std::vector<std::string>{"age", "workclass"}));
  EXPECT_EQ(b.at(0, "workclass"), "Self-emp");
  tabular_test::expect_error<DataError>([&] { positional->read_inputs({"1,2,3,4"}, ""); }, {"4 fields", "3 columns"});
  // A file in the recipe's own layout (no header) and one whose first line names some of the columns
  // in another order, as the table files `adapt predict` takes: each read as it is written.
  write(dir / "plain.data", "41, Self-emp, >50K\n");
  write(dir / "named.csv", "workclass, age\r\nPrivate,30\r\n");
  const Records c = positional->read_inputs({(dir / "plain.data").string(), (dir / "named.csv").string()}, "");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c.at(0, "age"), "41");
  EXPECT_EQ(c.at(1, "age"), "30");
  EXPECT_EQ(c.at(1, "workclass"), "Private");
  EXPECT_EQ(c.origin(1), (dir / "named.csv").string() + ":2");
}

}  // namespace
}  // namespace adapt
