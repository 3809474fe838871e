// text.tokens' sanity noise through the real plugin host: bos, then ordinary vocabulary pieces drawn
// uniformly, as many as another row of the split has.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "adapt/data/block.h"
#include "support/noise_items.h"
#include "text_test_support.h"

namespace adapt {
namespace tokens_noise_test {

using text::testing::text_registry;

TEST(TokensNoise, RandomTokensInTheVocabularyWithShuffledLengths) {
  Records records({"text", "label"}, "memory");
  const char* texts[] = {"Free entry! Win a PRIZE now, text WIN to 80086", "Are we meeting for lunch today?",
                         "URGENT: your mobile number has won 2000 pounds", "Ok",
                         "Call now to claim your free holiday prize", "I will be late, traffic is bad today again",
                         "Congratulations you won a free ticket, reply YES", "Can you pick up milk please"};
  for (size_t i = 0; i < 8; ++i) records.add_row({texts[i], i % 2 ? "ham" : "spam"}, "memory:" + std::to_string(i));
  auto block = text_registry().block(json{{"name", "text.tokens"}, {"vocab_size", 80}}, "inputs[0]");
  block->setup(records);
  EXPECT_EQ(block->noise_kinds(), std::vector<std::string>{"random tokens"});
  const int64_t vocab = block->dims()["vocab_size"].get<int64_t>();
  const auto items = test_support::noise_items(*block, records, {0, 1, 2, 3, 4, 5, 6, 7}, "random tokens", 5);
  std::multiset<int64_t> real_lengths, noise_lengths;
  std::set<int64_t> seen;
  for (size_t i = 0; i < items.real.size(); ++i) {
    const auto& real = items.real[i].at("");
    const auto& noise = items.noise[i].at("");
    ASSERT_EQ(noise.scalar_type(), torch::kInt64);
    ASSERT_EQ(noise.dim(), 1);
    real_lengths.insert(real.size(0));
    noise_lengths.insert(noise.size(0));
    EXPECT_EQ(noise[0].item<int64_t>(), real[0].item<int64_t>()) << "noise starts with bos as encode() does";
    for (int64_t j = 1; j < noise.size(0); ++j) {
      const int64_t id = noise[j].item<int64_t>();
      EXPECT_GE(id, 4) << "a special id (unk, bos, eos, pad) among the noise";
      EXPECT_LT(id, vocab);
      seen.insert(id);
    }
  }
  EXPECT_EQ(noise_lengths, real_lengths) << "the lengths are the split's, shuffled";
  EXPECT_GT(seen.size(), 20u) << "the noise draws from the whole vocabulary";
  // The collate path takes the noise as it takes real items.
  const TensorDict batch = block->collate(items.noise);
  EXPECT_EQ(batch.at("").size(0), 8);
  EXPECT_EQ(batch.at("mask").sum().item<int64_t>(),
            std::accumulate(noise_lengths.begin(), noise_lengths.end(), int64_t{0}));
}

}  // namespace tokens_noise_test
}  // namespace adapt
