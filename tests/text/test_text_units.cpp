// Known-answer tests of the pure helpers: UTF-8 validation/repair and the normalisation rules.
#include <gtest/gtest.h>

#include "adapt/common/error.h"
#include "text_rules.h"
#include "utf8.h"

namespace adapt::text {

TEST(TextUtf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(find_invalid_utf8("plain ascii"), std::string::npos);
  EXPECT_EQ(find_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string::npos);  // é € 😀
  EXPECT_EQ(find_invalid_utf8("ab\xE9 cd"), 2u);            // Latin-1 é
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);             // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);        // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);     // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("ok\xE2\x82"), 2u);           // truncated sequence
}

TEST(TextUtf8, ReplacesLikePython) {
  // b"ab\xe9cd".decode("utf-8", "replace") == "ab\ufffdcd"; a truncated 3-byte prefix is one U+FFFD.
  EXPECT_EQ(replace_invalid_utf8("ab\xE9" "cd"), "ab\xEF\xBF\xBD" "cd");
  EXPECT_EQ(replace_invalid_utf8("\xE2\x82x"), "\xEF\xBF\xBDx");
  EXPECT_EQ(replace_invalid_utf8("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TextUtf8, CheckedNamesWhereAndWhatToDo) {
  try {
    checked_utf8("bad \xE9", "error", "text.csv: sms.tsv:7 column 'text'");
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("sms.tsv:7"), std::string::npos) << m;
    EXPECT_NE(m.find("byte 4"), std::string::npos) << m;
    EXPECT_NE(m.find("0xE9"), std::string::npos) << m;
    EXPECT_NE(m.find("invalid_utf8"), std::string::npos) << m;
  }
  EXPECT_EQ(checked_utf8("bad \xE9", "replace", "x"), "bad \xEF\xBF\xBD");
}

TEST(TextUtf8, TruncatesOnCharacterBoundaries) {
  EXPECT_EQ(truncate_utf8("h\xC3\xA9llo", 2), "h");  // does not split é
  EXPECT_EQ(truncate_utf8("h\xC3\xA9llo", 3), "h\xC3\xA9");
  EXPECT_EQ(truncate_utf8("short", 100), "short");
}

TEST(TextRules, FastaiStyleMarkers) {
  TextRules rules;
  EXPECT_EQ(apply_rules("Hello World", rules), "xxmaj hello xxmaj world");
  EXPECT_EQ(apply_rules("FREE entry NOW", rules), "xxup free entry xxup now");
  EXPECT_EQ(apply_rules("wow!!!!", rules), "wow xxrep 4 !");
  EXPECT_EQ(apply_rules("no no no no way", rules), "xxwrep 4 no way");
  EXPECT_EQ(apply_rules("A cat", rules), "xxmaj a cat");  // one letter is not "all caps"
  EXPECT_EQ(apply_rules("Tom &amp; Jerry<br />ok", rules), "xxmaj tom & xxmaj jerry ok");
  EXPECT_EQ(apply_rules("and/or #1", rules), "and / or # 1");
  EXPECT_EQ(apply_rules("  spaced \t out  ", rules), "spaced out");
  EXPECT_EQ(apply_rules("\xC3\x89t\xC3\xA9 \xD0\x9C\xD0\x98\xD0\xA0", rules),
            "xxmaj \xC3\xA9t\xC3\xA9 xxup \xD0\xBC\xD0\xB8\xD1\x80");  // Été МИР
}

TEST(TextRules, EachRuleCanBeSwitchedOff) {
  TextRules off{false, false, false, false};
  EXPECT_EQ(apply_rules("Hello!!!! &amp; and/or", off), "Hello!!!! &amp; and/or");
  TextRules case_only{false, true, false, false};
  EXPECT_EQ(apply_rules("Hello!!!!", case_only), "xxmaj hello!!!!");
}

TEST(TextRules, LowerUtf8) { EXPECT_EQ(lower_utf8("ABC \xC3\x89 \xCE\xA3"), "abc \xC3\xA9 \xCF\x83"); }

}  // namespace adapt::text
