// recsys.interactions: formats, id handling and the errors users see on bad files.
#include "recsys_test_util.h"
#include "support/expect_error.h"

using adapt::json;

namespace {

adapt::Records read(const std::filesystem::path& file, json options = json::object()) {
  options["name"] = "recsys.interactions";
  options["path"] = file.string();
  return recsys_test::registry().reader(options, "reader")->read();
}

std::string error_of(const std::filesystem::path& file, json options = json::object()) {
  try {
    read(file, options);
  } catch (const adapt::DataError& e) {
    return e.what();
  }
  return "no DataError";
}

class InteractionsReader : public ::testing::Test {
 protected:
  std::filesystem::path dir = recsys_test::temp_dir("reader");
  void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(InteractionsReader, ReadsMovieLensRatingsCsvWithStringIds) {
  auto file = recsys_test::write_file(dir / "ratings.csv",
                                      "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n"
                                      "alice,\"item, with comma\",4.0,1260759179\r\n\n");
  adapt::Records r = read(file, {{"rating_min", 0.5}, {"rating_max", 5.0}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"user", "item", "rating", "timestamp"}));
  EXPECT_EQ(r.at(0, "item"), "31");
  EXPECT_EQ(r.at(1, "user"), "alice");
  EXPECT_EQ(r.at(1, "item"), "item, with comma");
  EXPECT_EQ(r.at(1, "rating"), "4.0");
  EXPECT_EQ(r.origin(1), file.string() + ":3");
}

TEST_F(InteractionsReader, ReadsUDataAndRatingsDat) {
  auto udata = recsys_test::write_file(dir / "u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
  adapt::Records a = read(udata);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.at(1, "user"), "186");
  EXPECT_EQ(a.at(1, "timestamp"), "891717742");
  auto dat = recsys_test::write_file(dir / "ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
  adapt::Records b = read(dat);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.at(1, "item"), "661");
  EXPECT_EQ(b.at(0, "rating"), "5");
}

// MovieLens 100K ships its splits in the u.data layout under other names (u1.base, ua.test): they are
// recognised by their first line, while a TAB-separated file with a header stays a header file.
TEST_F(InteractionsReader, RecognisesUDataByContentNotName) {
  for (const char* name : {"u1.base", "ua.test", "ratings.tsv"}) {
    auto file = recsys_test::write_file(dir / name, "196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
    adapt::Records r = read(file);
    ASSERT_EQ(r.size(), 2u) << name;
    EXPECT_EQ(r.at(0, "user"), "196") << name;
    EXPECT_EQ(r.at(1, "item"), "302") << name;
    EXPECT_EQ(r.at(1, "timestamp"), "891717742") << name;
  }
  auto header = recsys_test::write_file(dir / "with_header.tsv", "user\titem\trating\n1\t10\t4\n");
  adapt::Records h = read(header);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.at(0, "item"), "10");
}

// MovieLens 100K's official split (u1.base + u1.test) read as it comes: each file in the u.data
// layout, the test file's records marked "test" in the split column the core adds.
TEST_F(InteractionsReader, OfficialSplitFilesKeepTheirPart) {
  auto base = recsys_test::write_file(dir / "u1.base", "1\t10\t4\t881250949\n2\t11\t3\t891717742\n");
  auto test = recsys_test::write_file(dir / "u1.test", "1\t11\t5\t881250950\n");
  adapt::Records r = read(base, {{"test_path", test.string()}});
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"user", "item", "rating", "timestamp", "split"}));
  EXPECT_EQ(r.column("split"), (std::vector<std::string>{"train", "train", "test"}));
  EXPECT_EQ(r.at(2, "rating"), "5");
}

TEST_F(InteractionsReader, ImplicitFilesNeedNoRatingAndRowOrderIsTime) {
  auto file = recsys_test::write_file(dir / "clicks.csv", "user_id,item_id\nu1,i1\nu1,i2\n");
  adapt::Records r = read(file, {{"implicit", true}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at(1, "rating"), "1");
  EXPECT_EQ(r.at(1, "timestamp"), "1");
}

TEST_F(InteractionsReader, ClearErrorsOnBadFiles) {
  EXPECT_NE(error_of(recsys_test::write_file(dir / "empty.csv", "")).find("is empty"), std::string::npos);
  EXPECT_NE(error_of(recsys_test::write_file(dir / "header.csv", "user,item,rating\n")).find("no interactions"),
            std::string::npos);

  const std::string missing = error_of(recsys_test::write_file(dir / "missing.csv", "user,product,rating\nu,i,3\n"));
  EXPECT_NE(missing.find("no item column"), std::string::npos) << missing;
  EXPECT_NE(missing.find("item_column"), std::string::npos) << missing;

  const std::string range = error_of(recsys_test::write_file(dir / "range.csv", "user,item,rating\nu,i,3\nu,j,7\n"),
                                     {{"rating_min", 0.5}, {"rating_max", 5.0}});
  EXPECT_NE(range.find("line 3"), std::string::npos) << range;
  EXPECT_NE(range.find("\"rating\": 7 is outside the declared range"), std::string::npos) << range;

  const std::string text = error_of(recsys_test::write_file(dir / "text.csv", "user,item,rating\nu,i,good\n"));
  EXPECT_NE(text.find("line 2, field \"rating\": \"good\" is not a number"), std::string::npos) << text;

  const std::string dup = error_of(recsys_test::write_file(dir / "dup.csv", "user,item,rating\nu,i,3\nv,i,2\nu,i,4\n"));
  EXPECT_NE(dup.find("line 4: user \"u\" and item \"i\" already appear at"), std::string::npos) << dup;
  EXPECT_NE(dup.find("dup.csv:2"), std::string::npos) << dup;

  const std::string ragged = error_of(recsys_test::write_file(dir / "ragged.csv", "user,item,rating\nu,i\n"));
  EXPECT_NE(ragged.find("expected 3 fields"), std::string::npos) << ragged;
}

TEST_F(InteractionsReader, DuplicatesCanKeepTheLatest) {
  auto file = recsys_test::write_file(dir / "dup.csv", "user,item,rating,timestamp\nu,i,3,10\nu,i,5,30\nu,i,1,20\n");
  adapt::Records last = read(file, {{"duplicates", "keep_last"}});
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last.at(0, "rating"), "5");
  adapt::Records first = read(file, {{"duplicates", "keep_first"}});
  EXPECT_EQ(first.at(0, "rating"), "3");
}

TEST_F(InteractionsReader, PredictInputsAreUserCommaItem) {
  auto reader = recsys_test::registry().reader({{"name", "recsys.interactions"}, {"path", "unused.csv"}}, "reader");
  adapt::Records r = reader->read_inputs({"42,1234", "bob\tnew item"}, "");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at(1, "user"), "bob");
  EXPECT_EQ(r.at(1, "item"), "new item");
  EXPECT_THROW(reader->read_inputs({"only-a-user"}, ""), adapt::DataError);
  // A ratings row pasted whole used to become user "1", item "2,3".
  EXPECT_THROW_WITH(reader->read_inputs({"1,2,3"}, ""), adapt::DataError, "input 1", "\"1,2,3\"", "USER,ITEM");
}

TEST_F(InteractionsReader, PredictInputsMayNameTheUserAndItemColumns) {
  auto reader = recsys_test::registry().reader(
      {{"name", "recsys.interactions"}, {"path", "unused.csv"}, {"item_column", "track"}}, "reader");
  // Read as ids, "userId=5" and "movieId=31" would be two ids never seen in training.
  adapt::Records r = reader->read_inputs({"userId=5,movieId=31", "track = t9, user=ann", "a=b,c"}, "");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.at(0, "user"), "5");
  EXPECT_EQ(r.at(0, "item"), "31");
  EXPECT_EQ(r.at(1, "user"), "ann");  // either order; the reader's own item column counts
  EXPECT_EQ(r.at(1, "item"), "t9");
  EXPECT_EQ(r.at(2, "user"), "a=b");  // one field with "=": ids as they are
  EXPECT_THROW_WITH(reader->read_inputs({"userId=5,rating=4"}, ""), adapt::DataError, "input 1", "\"rating\" names no",
                    "USER_COLUMN=ID");
  EXPECT_THROW_WITH(reader->read_inputs({"user=5,userId=6"}, ""), adapt::DataError, "\"userId\" names a second");
}

}  // namespace
