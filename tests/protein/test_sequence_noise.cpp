// protein.sequence's sanity noise through the real plugin host: <cls>, residues drawn uniformly from
// the 20 standard amino acids, <eos>; as many residues as another row of the split has.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "adapt/data/block.h"
#include "alphabet.h"
#include "protein_test_support.h"
#include "support/noise_items.h"

namespace adapt {
namespace sequence_noise_test {

using protein::Alphabet;
using protein::testing::protein_registry;

TEST(SequenceNoise, RandomStandardResiduesWithShuffledLengths) {
  Records records({"sequence", "label"}, "memory");
  const char* sequences[] = {"MKTAYIAKQR", "GLFDIIKKIAESF", "KWKLFKKIGAVLKVL", "MA", "ACDEFGHIKLMNPQRSTVWY", "ACD"};
  for (size_t i = 0; i < 6; ++i) records.add_row({sequences[i], i % 2 ? "amp" : "non"}, "memory:" + std::to_string(i));
  auto block = protein_registry().block(json{{"name", "protein.sequence"}, {"max_len", 16}}, "inputs[0]");
  block->setup(records);
  EXPECT_EQ(block->noise_kinds(), std::vector<std::string>{"random residues"});
  const json dims = block->dims();
  const auto items = test_support::noise_items(*block, records, {0, 1, 2, 3, 4, 5}, "random residues", 9);
  std::multiset<int64_t> real_lengths, noise_lengths;
  for (const auto& item : items.real) real_lengths.insert(item.at("").size(0));
  std::set<int64_t> seen;
  for (const auto& item : items.noise) {
    const auto& noise = item.at("");
    ASSERT_EQ(noise.scalar_type(), torch::kInt64);
    noise_lengths.insert(noise.size(0));
    const int64_t n = noise.size(0);
    ASSERT_GE(n, 2);
    EXPECT_EQ(noise[0].item<int64_t>(), dims["cls_id"].get<int64_t>());
    EXPECT_EQ(noise[n - 1].item<int64_t>(), dims["eos_id"].get<int64_t>());
    for (int64_t i = 1; i + 1 < n; ++i) {
      const int64_t id = noise[i].item<int64_t>();
      EXPECT_GE(id, Alphabet::first_standard_id);
      EXPECT_LE(id, Alphabet::last_standard_id) << "a non-standard residue or special among the noise";
      seen.insert(id);
    }
  }
  EXPECT_EQ(noise_lengths, real_lengths) << "the lengths are the split's (cropped to max_len), shuffled";
  EXPECT_GE(seen.size(), 15u) << "the noise draws from all 20 amino acids";
}

}  // namespace sequence_noise_test
}  // namespace adapt
