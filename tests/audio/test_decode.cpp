// Decoding, resampling and bad input: every broken file is a DataError that names it, never a crash
// and never a NaN in an encoded item; readers can skip bad files and report the count.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "audio_file.h"
#include "feature_block.h"
#include "readers.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace adapt::audio;
using adapt::json;

namespace {

using adapt::test_support::TempDir;

std::vector<float> sine(int64_t rate, double seconds, double freq, double amp = 0.5) {
  std::vector<float> x(static_cast<size_t>(rate * seconds));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(amp * std::sin(2 * M_PI * freq * i / rate));
  return x;
}

// A 44-byte PCM WAV header with whatever (possibly absurd) fields the test wants.
void write_raw_wav(const fs::path& path, uint16_t channels, uint32_t rate, uint16_t bits, uint32_t data_bytes,
                   size_t actual_data_bytes, uint16_t format = 1) {
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  out.write("RIFF", 4);
  u32(36 + data_bytes);
  out.write("WAVEfmt ", 8);
  u32(16);
  u16(format);
  u16(channels);
  u32(rate);
  u32(rate * channels * bits / 8);
  u16(static_cast<uint16_t>(channels * bits / 8));
  u16(bits);
  out.write("data", 4);
  u32(data_bytes);
  std::vector<char> data(actual_data_bytes, 1);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

void write_float_wav(const fs::path& path, const std::vector<float>& x, int64_t rate, int channels = 1) {
  SF_INFO info{};
  info.samplerate = static_cast<int>(rate);
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  sf_writef_float(f, x.data(), static_cast<sf_count_t>(x.size() / channels));
  sf_close(f);
}

// The DataError message for decoding `path`, or "" if it decoded.
}  // namespace

TEST(AudioDecode, RoundTripsWavAndFlacAndMixesDown) {
  TempDir dir;
  auto x = sine(8000, 0.25, 440.0);
  write_wav(dir.path / "a.wav", x, 8000);
  int64_t rate = 0;
  auto y = decode_mono((dir.path / "a.wav").string(), rate);
  EXPECT_EQ(rate, 8000);
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(y[i], x[i], 1.0 / 32768 + 1e-6);

  // FLAC, stereo with opposite channels in phase: the mixdown is their mean.
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 2;
  info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open((dir.path / "b.flac").c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  std::vector<float> stereo;
  for (float v : sine(16000, 0.1, 300.0)) {
    stereo.push_back(v);
    stereo.push_back(0.5f * v);
  }
  sf_writef_float(f, stereo.data(), static_cast<sf_count_t>(stereo.size() / 2));
  sf_close(f);
  auto m = decode_mono((dir.path / "b.flac").string(), rate);
  EXPECT_EQ(rate, 16000);
  ASSERT_EQ(m.size(), stereo.size() / 2);
  for (size_t i = 0; i < m.size(); ++i) ASSERT_NEAR(m[i], 0.75f * stereo[2 * i], 2.0 / 32768);
}

TEST(AudioDecode, ResamplingKeepsATone) {
  // 440 Hz at 16 kHz -> 8 kHz: the length halves and the tone's frequency and level stay.
  auto x = sine(16000, 0.5, 440.0);
  auto y = resample(x, 16000, 8000, ResampleQuality::medium, "test");
  EXPECT_NEAR(static_cast<double>(y.size()), 4000.0, 2.0);
  double err = 0;
  for (size_t i = 200; i + 200 < y.size(); ++i)
    err = std::max(err, std::abs(y[i] - 0.5 * std::sin(2 * M_PI * 440.0 * i / 8000)));
  EXPECT_LT(err, 0.01);
  EXPECT_EQ(resample(x, 16000, 16000, ResampleQuality::best, "test"), x);
}

TEST(AudioDecode, BadFilesAreDataErrorsNamingTheFile) {
  TempDir dir;
  // Decoding `name` throws a DataError naming the file and saying `fragment`.
  const auto expect_error = [&](const std::string& name, const std::string& fragment) {
    const fs::path path = dir.path / name;
    adapt::test_support::expect_error<adapt::DataError>(
        [&] {
          int64_t rate = 0;
          decode_mono(path.string(), rate);
        },
        {path.string(), fragment});
  };
  std::ofstream(dir.path / "empty.wav").close();
  expect_error("empty.wav", "empty");
  std::ofstream(dir.path / "notes.wav") << "this is a text file, not audio\n";
  expect_error("notes.wav", "cannot decode");
  expect_error("missing.wav", "no such file");
  // Header says 1 s of 16-bit audio, only 100 bytes follow.
  write_raw_wav(dir.path / "truncated.wav", 1, 8000, 16, 16000, 100);
  expect_error("truncated.wav", "truncated");
  // Data chunk of zero frames.
  write_raw_wav(dir.path / "zero_frames.wav", 1, 8000, 16, 0, 0);
  expect_error("zero_frames.wav", "");
  write_raw_wav(dir.path / "zero_channels.wav", 0, 8000, 16, 1000, 1000);
  expect_error("zero_channels.wav", "");
  write_raw_wav(dir.path / "many_channels.wav", 200, 8000, 16, 40000, 40000);
  expect_error("many_channels.wav", "channels");
  write_raw_wav(dir.path / "slow.wav", 1, 3, 16, 1000, 1000);
  expect_error("slow.wav", "sample rate 3 Hz");
  write_raw_wav(dir.path / "fast.wav", 1, 50000000, 16, 1000, 1000);
  expect_error("fast.wav", "sample rate");
  auto x = sine(8000, 0.1, 200.0);
  x[123] = std::nanf("");
  write_float_wav(dir.path / "nan.wav", x, 8000);
  expect_error("nan.wav", "sample 123");
  x[123] = INFINITY;
  write_float_wav(dir.path / "inf.wav", x, 8000);
  expect_error("inf.wav", "infinite");
}

// Found by fuzz/wav_fuzzer: a 298-byte FLAC whose header announces 2^32 - 1 frames made decode_mono
// allocate 16 GiB up front (an out-of-memory abort, or std::bad_alloc that `on_error: skip` could not
// skip). Decoding reads in blocks now and refuses the file as truncated.
TEST(AudioDecode, AHeaderAnnouncingBillionsOfFramesIsRefusedWithoutAllocatingThem) {
  const std::string file = ADAPT_TEST_SOURCE_DIR "/fuzz/corpus/wav/flac_huge_frame_count";
  int64_t rate = 0;
  EXPECT_THROW_WITH(decode_mono(file, rate), adapt::DataError, file, "truncated", "4294967295 frames",
                    "only 256 could be read");
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THROW_WITH(decode_mono_bytes(bytes, "clip.flac", rate), adapt::DataError, "clip.flac", "truncated");
}

// The fuzzers' entry point decodes bytes in memory exactly as a file.
TEST(AudioDecode, BytesInMemoryDecodeLikeTheFile) {
  TempDir dir;
  const fs::path path = dir.path / "stereo.wav";
  write_float_wav(path, {0.5f, -0.5f, 0.25f, 0.75f}, 8000, 2);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int64_t file_rate = 0, memory_rate = 0;
  EXPECT_EQ(decode_mono_bytes(bytes, "stereo.wav", memory_rate), decode_mono(path.string(), file_rate));
  EXPECT_EQ(memory_rate, 8000);
  EXPECT_THROW_WITH(decode_mono_bytes("", "empty.wav", memory_rate), adapt::DataError, "empty.wav", "empty");
  EXPECT_THROW_WITH(decode_mono_bytes("not audio", "text.wav", memory_rate), adapt::DataError, "text.wav",
                    "cannot decode");
}

TEST(AudioDecode, ReaderChecksRaiseOrSkipWithACount) {
  TempDir dir;
  fs::create_directories(dir.path / "yes");
  fs::create_directories(dir.path / "no");
  write_wav(dir.path / "yes/1.wav", sine(8000, 0.2, 300), 8000);
  write_wav(dir.path / "no/1.wav", sine(8000, 0.2, 900), 8000);
  std::ofstream(dir.path / "no/broken.wav") << "garbage";
  std::ofstream(dir.path / "no/readme.txt") << "not listed: wrong extension";
  auto options = [&](const std::string& on_error) {
    adapt::OptionSchema schema = FolderReader::schema();
    return adapt::Options(schema, json{{"root", dir.path.string()}, {"on_error", on_error}}, "reader");
  };
  try {
    FolderReader(options("raise")).read();
    FAIL() << "a broken file was accepted";
  } catch (const adapt::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("broken.wav"), std::string::npos) << e.what();
  }
  FolderReader skipping(options("skip"));
  std::ostringstream warnings;
  // check_audio_rows reports to std::cerr by default; call it directly to capture the count.
  adapt::Records all({"path", "label"}, "test");
  all.add_row({(dir.path / "no/1.wav").string(), "no"});
  all.add_row({(dir.path / "no/broken.wav").string(), "no"});
  FileCheckOptions check;
  check.check = FileCheck::decode;
  check.skip_bad = true;
  check.warnings = &warnings;
  auto kept = check_audio_rows(all, "path", check, "audio.folder");
  EXPECT_EQ(kept.size(), 1u);
  EXPECT_NE(warnings.str().find("skipped 1 of 2"), std::string::npos) << warnings.str();
  auto records = skipping.read();
  EXPECT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at(0, "label"), "no");
  EXPECT_EQ(records.at(1, "label"), "yes");
}

TEST(AudioDecode, BlockEncodeNamesTheFileAndNeverYieldsNaN) {
  TempDir dir;
  adapt::OptionSchema schema = FeatureBlock::schema(FeatureKind::mel);
  FeatureBlock block(FeatureKind::mel,
                     adapt::Options(schema,
                                    json{{"sample_rate", 8000}, {"duration", 0.5}, {"n_fft", 256}, {"hop_length", 80},
                                         {"n_mels", 32}, {"normalize", "example"}},
                                    "inputs[0]"));
  // Silence, a 1-sample clip and a loud clip at another rate all encode to finite images.
  write_wav(dir.path / "silence.wav", std::vector<float>(4000, 0.0f), 8000);
  write_wav(dir.path / "one.wav", std::vector<float>(1, 0.3f), 8000);
  write_wav(dir.path / "loud.wav", sine(44100, 0.3, 1000.0, 1.0), 44100);
  std::ofstream(dir.path / "bad.wav") << "nope";
  adapt::Records records({"path"}, "test");
  for (const char* name : {"silence.wav", "one.wav", "loud.wav", "bad.wav"}) records.add_row({(dir.path / name).string()});
  adapt::EncodeContext ctx;
  ctx.split = adapt::Split::valid;
  for (size_t row = 0; row < 3; ++row) {
    auto x = block.encode(records, row, ctx).at("");
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{1, 32, 51}));
    EXPECT_TRUE(torch::isfinite(x).all().item<bool>()) << records.at(row, "path");
  }
  try {
    block.encode(records, 3, ctx);
    FAIL() << "bad.wav encoded";
  } catch (const adapt::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.wav"), std::string::npos) << e.what();
  }
}
