// The quote-aware CSV/TSV parser: edge cases and error messages with file:line.
#include <gtest/gtest.h>

#include "adapt/data/csv.h"
#include "adapt/data/csv_writer.h"
#include "core/support/data_fixtures.h"

using namespace adapt;
using adapt::testing::TempDir;

TEST(Csv, HeaderAndPlainRows) {
  Records r = parse_csv("a,b,c\n1,2,3\n4,5,6\n", "t.csv");
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at(1, "c"), "6");
  EXPECT_EQ(r.origin(0), "t.csv:2");
  EXPECT_EQ(r.origin(1), "t.csv:3");
}

TEST(Csv, QuotedFieldsWithDelimitersNewlinesAndDoubledQuotes) {
  const std::string text =
      "id,text,label\n"
      "1,\"hello, world\",a\n"
      "2,\"two\nlines\",b\n"
      "3,\"she said \"\"hi\"\"\",c\n"
      "4,\"\",d\n"
      "5,plain \"inner\" quote,e\n";
  Records r = parse_csv(text, "q.csv");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r.at(0, "text"), "hello, world");
  EXPECT_EQ(r.at(1, "text"), "two\nlines");
  EXPECT_EQ(r.at(2, "text"), "she said \"hi\"");
  EXPECT_EQ(r.at(3, "text"), "");
  EXPECT_EQ(r.at(4, "text"), "plain \"inner\" quote");  // quotes inside an unquoted field are text
  // The record after the two-line field starts on line 5, not 4.
  EXPECT_EQ(r.origin(1), "q.csv:3");
  EXPECT_EQ(r.origin(2), "q.csv:5");
  EXPECT_EQ(r.origin(4), "q.csv:7");
}

TEST(Csv, TabModeCrlfBomAndEmptyFields) {
  CsvOptions tab;
  tab.delimiter(parse_delimiter("tab"));
  Records r = parse_csv("\xEF\xBB\xBFname\tscore\r\nann\t\r\n\r\nbob\t3\r\n", "t.tsv", tab);
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"name", "score"}));
  ASSERT_EQ(r.size(), 2u);  // the blank line is skipped
  EXPECT_EQ(r.at(0, "score"), "");
  EXPECT_EQ(r.at(1, "name"), "bob");
  EXPECT_EQ(r.origin(1), "t.tsv:4");
  EXPECT_EQ(parse_delimiter(";"), ';');
  EXPECT_EQ(parse_delimiter("\\t"), '\t');
  EXPECT_THROW_WITH(parse_delimiter("ab", "reader.delimiter"), OptionError, "reader.delimiter", "\"ab\"");
}

TEST(Csv, RaggedRowNamesFileAndLine) {
  EXPECT_THROW_WITH(parse_csv("a,b\n1,2\n3\n4,5\n", "data/ragged.csv"), DataError, "data/ragged.csv:3",
                    "expected 2 fields", "found 1");
  EXPECT_THROW_WITH(parse_csv("a,b\n1,2,3\n", "r.csv"), DataError, "r.csv:2", "found 3");
}

TEST(Csv, UnterminatedQuoteAndTextAfterQuoteAreErrors) {
  EXPECT_THROW_WITH(parse_csv("a,b\n1,\"open\n2,3\n", "u.csv"), DataError, "u.csv:2", "never closed");
  EXPECT_THROW_WITH(parse_csv("a,b\n1,\"x\"y\n", "v.csv"), DataError, "v.csv:2", "after a closing quote");
}

// A stray quote swallows the lines up to the next quote: the error names the line where it opened
// (not the one, maybe 60 lines on, where it closed) and says how to read quotes as text.
TEST(Csv, StrayQuoteErrorsPointWhereTheQuoteOpened) {
  CsvOptions tsv;
  tsv.delimiter('\t');
  EXPECT_THROW_WITH(
      parse_csv("label\ttext\nham\tfine\nham\t\"stray quote\nham\tok\nham\tok\nspam\tclosed\" here\n", "sms.tsv", tsv),
      DataError, "sms.tsv:3:", "closes on line 6", "\"quoting\": false");
  EXPECT_THROW_WITH(parse_csv("a,b,c\n1,\"x,2\n3,4\",5,6\n", "m.csv"), DataError, "m.csv:2:", "closes on line 3",
                    "4 fields instead of 3", "\"quote\": \"\"");
  EXPECT_THROW_WITH(parse_csv("a,b\n1,2\n3,\"open\n4,5\n", "u.csv"), DataError, "u.csv:3:", "never closed",
                    "\"quoting\": false");
}

TEST(Csv, ColumnSelectionKeepsOrderAndRejectsUnknownColumns) {
  CsvOptions pick;
  pick.columns({"c", "a"});
  Records r = parse_csv("a,b,c\n1,2,3\n", "s.csv", pick);
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(r.at(0, "c"), "3");
  CsvOptions missing;
  missing.columns({"d"});
  EXPECT_THROW_WITH(parse_csv("a,b,c\n1,2,3\n", "s.csv", missing), DataError, "s.csv:1", "\"d\"", "\"a\", \"b\", \"c\"");
}

TEST(Csv, NoHeaderTrimCommentsAndQuotingOff) {
  CsvOptions uci;
  uci.header(false).trim(true).comment("|").column_names({"age", "job", "income"});
  Records r = parse_csv("|1x3 Cross validator\n39, State-gov, <=50K\n50,  Private , >50K.\n\n", "adult.test", uci);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at(0, "job"), "State-gov");
  EXPECT_EQ(r.at(1, "job"), "Private");
  EXPECT_EQ(r.origin(0), "adult.test:2");

  CsvOptions numbered;
  numbered.header(false);
  Records n = parse_csv("x,y\n1,2\n", "n.csv", numbered);
  EXPECT_EQ(n.column_names(), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(n.size(), 2u);

  // Free text with stray quotes (SMS-like TSV) reads verbatim when quoting is off.
  CsvOptions raw;
  raw.delimiter('\t').quote('\0').header(false);
  Records t = parse_csv("ham\t\"quoted\" start and \"unbalanced\n", "sms", raw);
  EXPECT_EQ(t.at(0, "1"), "\"quoted\" start and \"unbalanced");
}

TEST(Csv, HeaderErrors) {
  EXPECT_THROW_WITH(parse_csv("", "empty.csv"), DataError, "empty.csv", "header");
  EXPECT_THROW_WITH(parse_csv("a,b,a\n1,2,3\n", "dup.csv"), DataError, "dup.csv:1", "\"a\"", "twice");
}

TEST(Csv, ReadsFilesAndNamesMissingOnes) {
  TempDir dir;
  const auto path = dir.write("t.csv", "x,y\n1,2\n");
  Records r = read_csv_file(path);
  EXPECT_EQ(r.origin(0), path + ":2");
  EXPECT_THROW_WITH(read_csv_file((dir.path / "nope.csv").string()), DataError, "nope.csv", "does not exist");
  // A directory used to read as "the file is empty".
  EXPECT_THROW_WITH(read_csv_file(dir.path.string()), DataError, dir.path.string(), "is a directory");
}

TEST(Csv, TokenizerStreamsRecordsWithLines) {
  std::istringstream in("a,\"b\nc\"\nd,e\n");
  CsvTokenizer tok(in, "s", CsvOptions());
  CsvRow row;
  ASSERT_TRUE(tok.next(row));
  EXPECT_EQ(row.fields, (std::vector<std::string>{"a", "b\nc"}));
  EXPECT_EQ(row.line, 1u);
  ASSERT_TRUE(tok.next(row));
  EXPECT_EQ(row.line, 3u);
  EXPECT_FALSE(tok.next(row));
}

// Found by fuzz/csv_fuzzer, which writes every table it reads with the default options back through
// csv_writer.h and reads it again. A row whose only field is empty was written as an empty line,
// which the reader skips: the row was lost. A field starting with a UTF-8 byte order mark, first in
// the file, lost the mark (the reader drops one at the start of a file).
TEST(Csv, WrittenTablesReadBackUnchanged) {
  const auto round_trip = [](const std::vector<std::vector<std::string>>& table) {
    Records r = parse_csv(csv_text(table), "w.csv");
    std::vector<std::vector<std::string>> back{r.column_names()};
    for (size_t i = 0; i < r.size(); ++i) back.push_back({r.column(0)[i]});
    return back;
  };
  const std::vector<std::vector<std::string>> lone_empty = {{"\xB4"}, {""}, {"x"}, {""}};
  EXPECT_EQ(csv_text(lone_empty), "\xB4\n\"\"\nx\n\"\"\n");
  EXPECT_EQ(round_trip(lone_empty), lone_empty);
  const std::vector<std::vector<std::string>> bom_name = {{"\xEF\xBB\xBF"}, {"v"}};
  EXPECT_EQ(round_trip(bom_name), bom_name);
  // Fields that need no quotes still get none.
  EXPECT_EQ(csv_row({"a", "", "b c"}), "a,,b c\n");
  EXPECT_EQ(csv_row({"x\xEF\xBB\xBF"}), "x\xEF\xBB\xBF\n");
}

// append_csv_row writes what csv_row writes, after what the string already holds.
TEST(Csv, AppendedRowsEqualCsvRow) {
  const std::vector<std::vector<std::string>> rows = {
      {"plain", "with,comma", "a \"quote\"", "line\nbreak", "", "\xEF\xBB\xBFmark"}, {""}, {"", ""}, {"\"", "x"}};
  std::string appended = "head\n", expected = "head\n";
  for (const auto& row : rows) expected += csv_row(row);
  append_csv_row(appended, {"plain", "with,comma", "a \"quote\"", "line\nbreak", "", "\xEF\xBB\xBFmark"});
  append_csv_row(appended, {""});
  append_csv_row(appended, {"", ""});
  append_csv_row(appended, {"\"", "x"});
  EXPECT_EQ(appended, expected);
  EXPECT_EQ(csv_row(rows[0]), "plain,\"with,comma\",\"a \"\"quote\"\"\",\"line\nbreak\",,\"\xEF\xBB\xBFmark\"\n");
  std::string tsv;
  append_csv_row(tsv, {"a,b", "c\td"}, '\t');
  EXPECT_EQ(tsv, "a,b\t\"c\td\"\n");
}
