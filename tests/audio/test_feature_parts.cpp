// The audio blocks' explanation parts through the real plugin host: ten time bands of the clip, each
// silenced (set to the image's minimum), named by their seconds.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/data/block.h"
#include "audio_file.h"
#include "audio_test_util.h"

namespace feature_parts_test {

using adapt::json;

TEST(FeatureParts, TenTimeBandsEachSilencedAndNamedInSeconds) {
  audio_test::TempDir dir("parts");
  const auto path = dir.path / "tone.wav";
  adapt::audio::write_wav(path, audio_test::tone(8000, 0.7, 440.0), 8000);
  adapt::Records records({"path", "label"}, "test");
  records.add_row({path.string(), "a"}, "test:2");
  auto block = audio_test::registry().block(
      json{{"name", "audio.mel"}, {"sample_rate", 8000}, {"duration", 1.0}, {"n_fft", 256}, {"hop_length", 80},
           {"n_mels", 32}, {"normalize", "example"}},
      "inputs[0]");
  block->setup(records);
  const adapt::EncodeContext predict{adapt::Split::predict, nullptr};
  const adapt::TensorDict item = block->encode(records, 0, predict);
  const torch::Tensor image = item.at("");
  const auto parts = block->parts(records, 0, item);
  ASSERT_EQ(parts.size(), 10u);
  EXPECT_EQ(parts[0].name, "0.00-0.10 s");
  EXPECT_EQ(parts[9].name, "0.90-1.00 s");
  const int64_t frames = image.size(2), from = 3 * frames / 10, to = 4 * frames / 10;
  const torch::Tensor changed = parts[3].without.at("");
  ASSERT_EQ(changed.sizes(), image.sizes());
  EXPECT_TRUE(torch::all(changed.narrow(2, from, to - from) == image.min()).item<bool>());
  EXPECT_TRUE(torch::equal(changed.narrow(2, 0, from), image.narrow(2, 0, from)));
  EXPECT_TRUE(torch::equal(changed.narrow(2, to, frames - to), image.narrow(2, to, frames - to)));
}

}  // namespace feature_parts_test
