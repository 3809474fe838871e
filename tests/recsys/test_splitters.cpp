// recsys.leave_last_out and recsys.temporal: known answers on a hand-made log.
#include "recsys_test_util.h"

using adapt::json;

namespace {

// Rows: 0 a@5, 1 a@1, 2 b@3, 3 a@3, 4 b@9, 5 c@2 (c has one interaction), 6 a@7
adapt::Records log() {
  adapt::Records r({"user", "item", "rating", "timestamp"}, "log");
  const std::vector<std::pair<std::string, std::string>> rows = {{"a", "5"}, {"a", "1"}, {"b", "3"}, {"a", "3"},
                                                                 {"b", "9"}, {"c", "2"}, {"a", "7"}};
  for (size_t i = 0; i < rows.size(); ++i) r.add_row({rows[i].first, "i" + std::to_string(i), "3", rows[i].second});
  return r;
}

adapt::SplitIndices split(json options) { return recsys_test::registry().splitter(options, "splitter")->split(log()); }

using Rows = std::vector<size_t>;

TEST(LeaveLastOut, LatestPerUserGoesToValid) {
  auto s = split({{"name", "recsys.leave_last_out"}});
  EXPECT_EQ(s.valid, (Rows{4, 6}));  // b@9, a@7; c keeps its only interaction in train
  EXPECT_EQ(s.train, (Rows{0, 1, 2, 3, 5}));
  EXPECT_TRUE(s.test.empty());
}

TEST(LeaveLastOut, ValidAndTest) {
  auto s = split({{"name", "recsys.leave_last_out"}, {"n_valid", 1}, {"n_test", 1}});
  // a: test a@7, valid a@5. b has 2 interactions, too few to keep one in train: all in train.
  EXPECT_EQ(s.test, (Rows{6}));
  EXPECT_EQ(s.valid, (Rows{0}));
  EXPECT_EQ(s.train, (Rows{1, 2, 3, 4, 5}));
}

TEST(LeaveLastOut, NonNumericTimestampNamesTheRecord) {
  adapt::Records r({"user", "item", "rating", "timestamp"}, "bad");
  r.add_row({"a", "i", "3", "yesterday"}, "bad.csv:2");
  auto splitter = recsys_test::registry().splitter({{"name", "recsys.leave_last_out"}}, "splitter");
  try {
    splitter->split(r);
    FAIL() << "no error";
  } catch (const adapt::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:2, field \"timestamp\": \"yesterday\""), std::string::npos)
        << e.what();
  }
}

TEST(TemporalSplit, FractionCutOffKeepsTiesTogether) {
  // Sorted times 1 2 3 3 5 7 9; the latest 2/7 start at 7.
  auto s = split({{"name", "recsys.temporal"}, {"valid_pct", 2.0 / 7.0}});
  EXPECT_EQ(s.valid, (Rows{4, 6}));
  auto t = split({{"name", "recsys.temporal"}, {"valid_pct", 0.3}, {"test_pct", 0.15}});
  // test: latest 1 row (9); valid+test: latest 3 rows -> cut at 5.
  EXPECT_EQ(t.test, (Rows{4}));
  EXPECT_EQ(t.valid, (Rows{0, 6}));
  // A cut-off inside a tie (latest 4 of 1 2 3 3 5 7 9 starts at 3): both 3s go to valid.
  auto u = split({{"name", "recsys.temporal"}, {"valid_pct", 4.0 / 7.0}});
  EXPECT_EQ(u.valid, (Rows{0, 2, 3, 4, 6}));
}

TEST(TemporalSplit, ExplicitCutoffs) {
  auto s = split({{"name", "recsys.temporal"}, {"valid_cutoff", 5}, {"test_cutoff", 8}});
  EXPECT_EQ(s.valid, (Rows{0, 6}));
  EXPECT_EQ(s.test, (Rows{4}));
  EXPECT_EQ(s.train, (Rows{1, 2, 3, 5}));
  EXPECT_THROW(split({{"name", "recsys.temporal"}, {"valid_cutoff", 0}}), adapt::DataError);
}

}  // namespace
