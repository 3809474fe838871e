// Similar texts across splits: an edited copy of a training text is found, unrelated texts and
// non-prose columns are not.
#include <gtest/gtest.h>

#include "adapt/inspect/similar_texts.h"

using namespace adapt;

namespace {
Records texts(const std::vector<std::string>& rows) {
  Records records({"text", "path"}, "texts.csv");
  for (size_t i = 0; i < rows.size(); ++i)
    records.add_row({rows[i], "clips/" + std::to_string(i) + "_a.wav"}, "texts.csv:" + std::to_string(i + 2));
  return records;
}
}  // namespace

TEST(SimilarTexts, AnEditedCopyOfATrainingTextIsFoundAndNothingElse) {
  const Records records = texts({
      "free entry in a weekly competition to win cup final tickets text win to 87121 now",   // train
      "the meeting moved to thursday afternoon because the room is booked on wednesday",      // train
      "are you coming to the party tonight or should we save you some cake for tomorrow",    // train
      "free entry in a weekly competition to win cup final tickets text win to 80082 now",   // held out: 1 word differs
      "please call me when you get home so we can talk about the trip next month",           // held out: new
      "the meeting moved",                                                                    // held out: a fragment
  });
  const auto found = similar_to_train(records, {0, 1, 2}, {3, 4, 5}, {"text"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].row, 3u);
  EXPECT_EQ(found[0].train_row, 0u);
  // 15 word pairs each, 13 shared: 13 / 17.
  EXPECT_NEAR(found[0].similarity, 13.0 / 17.0, 1e-12);
  SimilarTextOptions strict;
  strict.threshold = 0.8;
  EXPECT_TRUE(similar_to_train(records, {0, 1, 2}, {3, 4, 5}, {"text"}, strict).empty());
}

TEST(SimilarTexts, OnlyColumnsOfProseAreCompared) {
  // The paths ("clips/0_a.wav") split into four words of letters and digits, yet hold no spaces.
  const Records records = texts({"one two three four five", "six seven eight nine ten", "a b c"});
  EXPECT_EQ(prose_columns(records, {0, 1, 2}, {"text", "path"}), std::vector<std::string>{"text"});
  EXPECT_TRUE(prose_columns(records, {2}, {"text"}).empty());  // three words: not prose
}
