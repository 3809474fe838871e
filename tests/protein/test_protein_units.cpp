// Unit tests of the pure-C++ parts: the ESM alphabet, k-mers, sequence cleaning and FASTA parsing.
#include <gtest/gtest.h>

#include "adapt/common/error.h"
#include "alphabet.h"
#include "fasta.h"
#include "protein_test_support.h"

using namespace adapt;
using namespace adapt::protein;
using adapt::protein::testing::error_of;
using adapt::protein::testing::expect_message;

TEST(ProteinAlphabet, EsmOrder) {
  const auto& t = Alphabet::tokens();
  ASSERT_EQ(t.size(), 33u);
  EXPECT_EQ(t[0], "<cls>");
  EXPECT_EQ(t[1], "<pad>");
  EXPECT_EQ(t[2], "<eos>");
  EXPECT_EQ(t[3], "<unk>");
  EXPECT_EQ(t[32], "<mask>");
  // fair-esm: L=4, A=5, G=6, ..., C=23, X=24, B=25, U=26, Z=27, O=28.
  EXPECT_EQ(Alphabet::residue_id('L'), 4);
  EXPECT_EQ(Alphabet::residue_id('A'), 5);
  EXPECT_EQ(Alphabet::residue_id('C'), 23);
  EXPECT_EQ(Alphabet::residue_id('X'), 24);
  EXPECT_EQ(Alphabet::residue_id('O'), 28);
  EXPECT_EQ(Alphabet::residue_id('J'), -1);
  EXPECT_EQ(Alphabet::residue_id('-'), -1);
  for (char c : std::string(Alphabet::standard)) {
    const auto id = Alphabet::residue_id(c);
    EXPECT_GE(id, Alphabet::first_standard_id);
    EXPECT_LE(id, Alphabet::last_standard_id);
    EXPECT_EQ(Alphabet::residue(id), c);
  }
}

TEST(ProteinAlphabet, Kmers) {
  KmerVocabulary k1(1);
  EXPECT_EQ(k1.size(), 33);
  EXPECT_EQ(k1.encode("MKL"), (std::vector<int64_t>{20, 15, 4}));
  KmerVocabulary k2(2);
  EXPECT_EQ(k2.size(), 405);
  // AC = 0*20+1 -> 6; CD = 1*20+2 -> 27; a k-mer with X is <unk>.
  EXPECT_EQ(k2.encode("ACD"), (std::vector<int64_t>{6, 27}));
  EXPECT_EQ(k2.encode("AXD"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(k2.token(27), "CD");
  EXPECT_EQ(k2.encode("A"), (std::vector<int64_t>{3}));
  EXPECT_THROW(KmerVocabulary(4), OptionError);
}

TEST(ProteinAlphabet, CleaningHandlesCaseStopAndWhitespace) {
  EXPECT_EQ(clean_sequence(" mk l\tv*\r\n", InvalidPolicy::error, "t", "r"), "MKLV");
  EXPECT_EQ(clean_sequence("MK1V", InvalidPolicy::x, "t", "r"), "MKXV");
  EXPECT_EQ(clean_sequence("MK-V", InvalidPolicy::remove, "t", "r"), "MKV");
  auto m = error_of<DataError>([] { clean_sequence("MKJV", InvalidPolicy::error, "protein.fasta", "f.fa:3 record 'p1'"); });
  expect_message(m, {"protein.fasta", "f.fa:3 record 'p1'", "'J'", "residue 3", "invalid"});
  m = error_of<DataError>([] { clean_sequence("MK-V", InvalidPolicy::error, "t", "r"); });
  expect_message(m, {"gap", "residue 3"});
  m = error_of<DataError>([] { clean_sequence("  *", InvalidPolicy::error, "t", "f.fa:9 record 'e'"); });
  expect_message(m, {"f.fa:9 record 'e'", "empty sequence"});
}

TEST(ProteinFasta, MultiLineRecordsAndHeaders) {
  const std::string text = "; a comment\n\n>sp|P1|A desc here\nMKV\nlla*\n>P2\r\nGG\r\n\n>P3 x\nW\n";
  auto r = parse_fasta(text, "in.fa", InvalidPolicy::error, "protein.fasta");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].id, "sp|P1|A");
  EXPECT_EQ(r[0].description, "desc here");
  EXPECT_EQ(r[0].sequence, "MKVLLA");
  EXPECT_EQ(r[0].line, 3u);
  EXPECT_EQ(r[1].id, "P2");
  EXPECT_EQ(r[1].sequence, "GG");
  EXPECT_EQ(r[2].sequence, "W");
}

TEST(ProteinFasta, BadInputIsNamed) {
  auto m = error_of<DataError>([] { parse_fasta("MKVLA\nGG\n", "plain.txt", InvalidPolicy::error, "protein.fasta"); });
  expect_message(m, {"plain.txt:1", "'>'", "MKVLA"});
  m = error_of<DataError>([] { parse_fasta(">a\nMKV\n>b\n>c\nGG\n", "e.fa", InvalidPolicy::error, "protein.fasta"); });
  expect_message(m, {"e.fa:3 record 'b'", "empty sequence"});
  m = error_of<DataError>([] { parse_fasta(">a\nMKV\nGZ1G\n", "i.fa", InvalidPolicy::error, "protein.fasta"); });
  expect_message(m, {"i.fa:1 record 'a'", "'1'", "residue 6"});
  m = error_of<DataError>([] { parse_fasta("", "empty.fa", InvalidPolicy::error, "protein.fasta"); });
  expect_message(m, {"empty.fa", "no FASTA records"});
  m = error_of<DataError>([] { parse_fasta("> \nMK\n", "h.fa", InvalidPolicy::error, "protein.fasta"); });
  expect_message(m, {"h.fa:1", "without an id"});
}
