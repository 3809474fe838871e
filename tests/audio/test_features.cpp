// Spectrogram / mel / MFCC against torchaudio 0.13 golden outputs (tests/audio/golden, written by
// make_golden.py). Error measure: max|ours - torchaudio| / max|torchaudio| over the whole output.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "adapt/plugin/plugin_host.h"
#include "adapt/plugin/registry.h"
#include "feature_extractor.h"

namespace fs = std::filesystem;
using adapt::json;
using namespace adapt::audio;

namespace {

const fs::path kGolden = fs::path(ADAPT_TEST_SOURCE_DIR) / "tests/audio/golden";

json manifest() {
  std::ifstream in(kGolden / "manifest.json");
  return json::parse(in);
}

torch::Tensor read_f32(const fs::path& path, std::vector<int64_t> shape) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  in.seekg(0, std::ios::end);
  const auto bytes = static_cast<size_t>(in.tellg());
  in.seekg(0);
  auto t = torch::empty({static_cast<int64_t>(bytes / 4)}, torch::kFloat32);
  in.read(reinterpret_cast<char*>(t.data_ptr<float>()), static_cast<std::streamsize>(bytes));
  return shape.empty() ? t : t.reshape(shape);
}

double relative_error(const torch::Tensor& ours, const torch::Tensor& reference) {
  return ((ours - reference).abs().max() / reference.abs().max()).item<double>();
}

FeatureOptions options_from(const json& o) {
  FeatureOptions f;
  f.sample_rate = o.at("sample_rate");
  f.n_fft = o.at("n_fft");
  f.win_length = o.value("win_length", 0);
  f.hop_length = o.value("hop_length", 0);
  f.power = o.value("power", 2.0);
  f.f_min = o.value("f_min", 0.0);
  f.f_max = o.value("f_max", 0.0);
  f.n_mels = o.value("n_mels", 128);
  f.n_mfcc = o.value("n_mfcc", 40);
  f.mel_scale = o.value("mel_scale", "htk") == "htk" ? MelScale::htk : MelScale::slaney;
  f.slaney_norm = o.value("norm", "none") == "slaney";
  const std::string log = o.value("log", "db");
  f.log = log == "db" ? LogMode::db : log == "log" ? LogMode::log : LogMode::none;
  f.top_db = o.value("top_db", 0.0);
  return f;
}

FeatureKind kind_of(const std::string& k) {
  return k == "spectrogram" ? FeatureKind::spectrogram : k == "mel" ? FeatureKind::mel : FeatureKind::mfcc;
}

// The FSDD benchmark's settings: 8 kHz, n_fft 256, hop 80, 64 mels.
FeatureOptions fsdd_mel_options() {
  FeatureOptions o;
  o.sample_rate = 8000;
  o.n_fft = 256;
  o.hop_length = 80;
  o.n_mels = 64;
  return o;
}

}  // namespace

TEST(AudioFeatures, MatchTorchaudioOnSyntheticSignal) {
  const json m = manifest();
  ASSERT_GE(m["cases"].size(), 7u);
  for (const auto& c : m["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto wave = read_f32(kGolden / c["input"].get<std::string>(), {});
    auto expected = read_f32(kGolden / c["output"].get<std::string>(), c["shape"].get<std::vector<int64_t>>());
    FeatureExtractor extractor(kind_of(c["kind"]), options_from(c["options"]));
    auto ours = extractor.compute(wave);
    ASSERT_EQ(ours.sizes(), expected.sizes());
    const double err = relative_error(ours, expected);
    EXPECT_LE(err, 1e-4);
    std::cout << "  " << c["name"].get<std::string>() << ": max relative error " << err << "\n";
  }
}

TEST(AudioFeatures, MelFilterbankKnownValues) {
  // HTK mel of 700 Hz is 2595 * log10(2); Slaney is linear below 1 kHz (3 bands per 200 Hz).
  EXPECT_NEAR(hz_to_mel(700.0, MelScale::htk), 2595.0 * std::log10(2.0), 1e-9);
  EXPECT_NEAR(hz_to_mel(600.0, MelScale::slaney), 9.0, 1e-12);
  EXPECT_NEAR(mel_to_hz(hz_to_mel(3456.0, MelScale::slaney), MelScale::slaney), 3456.0, 1e-9);
  auto fb = mel_filterbank(129, 0.0, 4000.0, 32, 8000, MelScale::htk, false);
  EXPECT_EQ(fb.sizes(), (std::vector<int64_t>{129, 32}));
  EXPECT_LE(fb.max().item<float>(), 1.0f);
  EXPECT_GE(fb.min().item<float>(), 0.0f);
  // The DCT is orthonormal: D^T D = I when n_mfcc == n_mels.
  auto d = dct_matrix(16, 16);
  EXPECT_TRUE(torch::allclose(d.t().matmul(d), torch::eye(16), 1e-5, 1e-5));
}

TEST(AudioFeatures, FramesAndBinsFollowSettings) {
  FeatureOptions o = fsdd_mel_options();
  FeatureExtractor mel(FeatureKind::mel, o);
  EXPECT_EQ(mel.n_bins(), 64);
  EXPECT_EQ(mel.n_frames(8000), 101);  // 1 + 8000 / 80 with centred frames
  auto out = mel.compute(torch::zeros({8000}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{64, 101}));
  // Silence is the dB floor, finite everywhere.
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  EXPECT_NEAR(out.max().item<float>(), -100.0f, 1e-4);
  // A clip too short to reflect is zero padded rather than rejected.
  auto tiny = mel.compute(torch::ones({10}));
  EXPECT_EQ(tiny.size(1), 1);
  EXPECT_TRUE(torch::isfinite(tiny).all().item<bool>());
}

TEST(AudioFeatures, TrailingZerosSkipTheFftAndGiveTheSameFrames) {
  FeatureOptions o = fsdd_mel_options();
  o.log = LogMode::none;
  FeatureExtractor mel(FeatureKind::mel, o);
  // Half a second of tone, then half a second of zeros, as a padded batch holds it.
  auto padded = torch::zeros({8000});
  padded.narrow(0, 0, 4000).copy_(torch::sin(torch::arange(4000, torch::kFloat32) * (2 * M_PI * 440 / 8000)));
  auto out = mel.compute(padded);
  // The last sample (4127 in the centred signal) is in frames up to 4127 / 80 = 51; later frames are
  // pure zeros and skip the FFT.
  EXPECT_GT(out.select(1, 51).abs().max().item<float>(), 0.0f);
  EXPECT_EQ(out.slice(1, 52).abs().max().item<float>(), 0.0f);
  // The same clip with one tiny sample at its very end takes the FFT for every frame: every frame
  // that does not reach that sample is bit-identical.
  auto nudged = padded.clone();
  nudged[7999] = 1e-30f;
  auto full = mel.compute(nudged);
  EXPECT_TRUE(torch::equal(out.slice(1, 0, 97), full.slice(1, 0, 97)));
  // And a lone click at the very end is seen, not skipped.
  auto click = torch::zeros({8000});
  click[7999] = 1.0f;
  EXPECT_GT(mel.compute(click).select(1, 100).abs().max().item<float>(), 0.0f);
}

// The mel filters run over 8 frames at once, each frame's sum in its filter's order: bit for bit
// what the filterbank gives one frame at a time from the power spectrogram.
TEST(AudioFeatures, MelsOfFramesTogetherEqualOneFrameAtATime) {
  FeatureOptions o = fsdd_mel_options();
  o.log = LogMode::none;
  torch::manual_seed(5);
  auto wave = torch::randn({8000 + 437}) * 0.3;  // 111 frames: three chunks of 32 and a part, 8 lanes and a part
  const torch::Tensor mel = FeatureExtractor(FeatureKind::mel, o).compute(wave);
  const torch::Tensor power = FeatureExtractor(FeatureKind::spectrogram, o).compute(wave);
  const torch::Tensor fb = mel_filterbank(o.n_fft / 2 + 1, o.f_min, o.effective_f_max(), o.n_mels, o.sample_rate,
                                          o.mel_scale, o.slaney_norm);
  ASSERT_EQ(mel.size(1), power.size(1));
  auto w = fb.accessor<float, 2>();
  auto p = power.accessor<float, 2>();
  auto expected = torch::zeros_like(mel);
  auto e = expected.accessor<float, 2>();
  for (int64_t m = 0; m < o.n_mels; ++m) {
    int64_t first = -1, last = -1;
    for (int64_t f = 0; f < fb.size(0); ++f) {
      if (w[f][m] == 0.0f) continue;
      if (first < 0) first = f;
      last = f;
    }
    for (int64_t t = 0; first >= 0 && t < mel.size(1); ++t) {
      float acc = 0.0f;
      for (int64_t f = first; f <= last; ++f) acc += w[f][m] * p[f][t];
      e[m][t] = acc;
    }
  }
  EXPECT_TRUE(torch::equal(mel, expected)) << (mel - expected).abs().max().item<float>();
}

TEST(AudioFeatures, VectorisedLogAgreesWithScalarLogWithinAnUlp) {
  // The log step runs on ATen's vectorised log10/log; the scalar definition is the reference.
  FeatureOptions o = fsdd_mel_options();
  o.log = LogMode::none;
  const auto wave = torch::randn({8000}, torch::kFloat32) * 0.1;
  const auto linear = FeatureExtractor(FeatureKind::mel, o).compute(wave).contiguous();
  const float* p = linear.data_ptr<float>();
  const int64_t n = linear.numel();
  std::vector<float> db(n), ln(n);
  float peak = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    db[i] = 10.0f * std::log10(std::max(p[i], 1e-10f));  // power 2: AmplitudeToDB's multiplier 10
    ln[i] = std::log(p[i] + 1e-6f);
    peak = std::max(peak, db[i]);
  }
  for (float& v : db) v = std::max(v, peak - static_cast<float>(o.top_db));
  for (LogMode mode : {LogMode::db, LogMode::log}) {
    o.log = mode;
    const auto out = FeatureExtractor(FeatureKind::mel, o).compute(wave).contiguous();
    const float* q = out.data_ptr<float>();
    const std::vector<float>& expected = mode == LogMode::db ? db : ln;
    for (int64_t i = 0; i < n; ++i) {
      // One ulp of log10 times the multiplier (and the clamp it feeds) stays within a few float ulps.
      const float tolerance = 4.0f * std::numeric_limits<float>::epsilon() * std::max(1.0f, std::fabs(expected[i]));
      ASSERT_NEAR(q[i], expected[i], tolerance) << "element " << i;
    }
  }
}

TEST(AudioFeatures, InconsistentSettingsAreOptionErrors) {
  FeatureOptions o;
  o.n_fft = 256;
  o.win_length = 300;
  EXPECT_THROW(o.check("inputs[0]", FeatureKind::mel), adapt::OptionError);
  o.win_length = 0;
  o.sample_rate = 8000;
  o.f_max = 6000;
  try {
    o.check("inputs[0]", FeatureKind::mel);
    FAIL() << "f_max above Nyquist accepted";
  } catch (const adapt::OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("inputs[0].f_max"), std::string::npos) << e.what();
  }
}

TEST(AudioFeatures, ConcurrentCallsAgree) {
  FeatureOptions o = fsdd_mel_options();
  FeatureExtractor mel(FeatureKind::mel, o);
  auto wave = torch::randn({12345}, torch::TensorOptions().dtype(torch::kFloat32)) * 0.1;
  auto expected = mel.compute(wave);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i)
        if (!torch::equal(mel.compute(wave), expected)) ++mismatches;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}
