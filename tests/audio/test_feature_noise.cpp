// The audio blocks' sanity noise: silence and white noise of the block's duration, through the
// block's own features and normalisation; through the real plugin host and on the waveform itself.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adapt/data/block.h"
#include "audio_file.h"
#include "audio_test_util.h"
#include "feature_block.h"

namespace feature_noise_test {

using adapt::json;

TEST(FeatureNoise, SilenceIsZerosAndWhiteNoiseHasItsVariance) {
  using adapt::audio::FeatureBlock;
  using adapt::audio::FeatureKind;
  const adapt::OptionSchema schema = FeatureBlock::schema(FeatureKind::mel);
  FeatureBlock block(FeatureKind::mel,
                     adapt::Options(schema, json{{"sample_rate", 8000}, {"duration", 1.0}, {"n_fft", 256},
                                                 {"hop_length", 80}, {"n_mels", 32}, {"normalize", "none"}},
                                    "inputs[0]"));
  adapt::Rng rng(4);
  const auto silence = block.noise_wave("silence", rng);
  EXPECT_EQ(silence.sizes(), (std::vector<int64_t>{8000}));
  EXPECT_EQ(silence.abs().max().item<float>(), 0.0f);
  const auto white = block.noise_wave("white noise", rng);
  ASSERT_EQ(white.sizes(), (std::vector<int64_t>{8000}));
  // Sample variance of 8,000 draws: within about 5 standard errors (sqrt(2/n) ~ 1.6%) of 0.01.
  EXPECT_NEAR(white.var().item<double>(), FeatureBlock::kWhiteNoiseStd * FeatureBlock::kWhiteNoiseStd, 0.0008);
  EXPECT_NEAR(white.mean().item<double>(), 0.0, 0.005);
  EXPECT_THROW(block.noise_wave("pink noise", rng), adapt::Error);
}

TEST(FeatureNoise, NoiseItemsThroughThePluginHostMatchEncodesShape) {
  audio_test::TempDir dir("noise");
  const auto path = dir.path / "tone.wav";
  adapt::audio::write_wav(path, audio_test::tone(8000, 0.7, 440.0), 8000);
  adapt::Records records({"path", "label"}, "test");
  records.add_row({path.string(), "a"}, "test:2");
  records.add_row({path.string(), "b"}, "test:3");
  for (const char* normalize : {"none", "example", "global"}) {
    auto block = audio_test::registry().block(
        json{{"name", "audio.mel"}, {"sample_rate", 8000}, {"duration", 1.0}, {"n_fft", 256}, {"hop_length", 80},
             {"n_mels", 32}, {"normalize", normalize}},
        "inputs[0]");
    block->setup(records);
    ASSERT_EQ(block->noise_kinds(), (std::vector<std::string>{"silence", "white noise"}));
    adapt::NoiseContext ctx;
    ctx.seed = 1;
    const adapt::EncodeContext valid{adapt::Split::valid, nullptr};
    const auto real = block->encode(records, 0, valid).at("");
    const auto silence = block->noise(records, 0, valid, "silence", ctx).at("");
    const auto white = block->noise(records, 0, valid, "white noise", ctx).at("");
    for (const auto& t : {silence, white}) {
      EXPECT_EQ(t.sizes(), real.sizes()) << normalize;
      EXPECT_EQ(t.scalar_type(), real.scalar_type()) << normalize;
      EXPECT_TRUE(torch::isfinite(t).all().item<bool>()) << normalize;
    }
    // Silence has one value per band in every frame (the log floor, or its normalised image); white
    // noise does not, and it differs from row to row.
    EXPECT_EQ((silence - silence.narrow(2, 0, 1)).abs().max().item<float>(), 0.0f) << normalize;
    EXPECT_GT(white.std().item<float>(), 0.0f) << normalize;
    EXPECT_FALSE(torch::equal(white, block->noise(records, 1, valid, "white noise", ctx).at(""))) << normalize;
    EXPECT_TRUE(torch::equal(white, block->noise(records, 0, valid, "white noise", ctx).at(""))) << normalize;
  }
}

}  // namespace feature_noise_test
