// Every audio component created by name through the real plugin host, with known answers.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "adapt/baseline/baseline.h"
#include "adapt/data/data_blocks.h"
#include "audio_file.h"
#include "audio_test_util.h"
#include "mixup.h"

using adapt::json;
using namespace audio_test;

namespace {

json mel_spec(const std::string& normalize = "global", double duration = 0.5) {
  return json{{"name", "audio.mel"}, {"sample_rate", 8000}, {"duration", duration}, {"n_fft", 256},
              {"hop_length", 80},    {"n_mels", 32},        {"normalize", normalize}};
}

// n tones per class at class-specific pitches, with random lengths; returns path,label records.
adapt::Records tone_records(const fs::path& dir, int per_class, const std::vector<double>& pitches) {
  adapt::Records records({"path", "label"}, dir.string());
  adapt::Rng rng(5);
  for (size_t c = 0; c < pitches.size(); ++c)
    for (int i = 0; i < per_class; ++i) {
      auto x = tone(8000, rng.uniform(0.3, 0.9), pitches[c] * rng.uniform(0.95, 1.05), rng.uniform(0.1, 0.8));
      for (auto& v : x) v += static_cast<float>(0.01 * rng.normal());
      const fs::path path = dir / ("c" + std::to_string(c) + "_" + std::to_string(i) + ".wav");
      adapt::audio::write_wav(path, x, 8000);
      records.add_row({path.string(), "class" + std::to_string(c)}, path.string());
    }
  return records;
}

std::shared_ptr<adapt::DataBlocks> make_blocks(const json& input, const adapt::Records& train) {
  auto& r = registry();
  auto blocks = std::make_shared<adapt::DataBlocks>(
      std::vector<adapt::BoundBlock>{{"x", r.block(input, "inputs[0]")}},
      adapt::BoundBlock{"y", r.block(json{{"name", "core.category"}, {"column", "label"}}, "target")});
  blocks->setup(train);
  return blocks;
}

adapt::EncodeContext context(adapt::Split split, adapt::Rng* rng = nullptr) {
  adapt::EncodeContext ctx;
  ctx.split = split;
  ctx.rng = rng;
  return ctx;
}

}  // namespace

TEST(AudioPlugin, RegistersEveryComponentWithOptions) {
  auto& r = registry();
  using K = adapt::Kind;
  const std::vector<std::pair<K, std::string>> expected = {
      {K::reader, "audio.folder"},        {K::reader, "audio.csv"},          {K::block, "audio.spectrogram"},
      {K::block, "audio.mel"},            {K::block, "audio.mfcc"},          {K::transform, "audio.gain"},
      {K::transform, "audio.noise"},      {K::transform, "audio.time_shift"}, {K::transform, "audio.speed"},
      {K::transform, "audio.spec_augment"},
      {K::transform, "audio.random_resized_crop"}, {K::transform, "audio.mixup"}, {K::model, "audio.cnn"},
      {K::model, "audio.resnet"},         {K::baseline, "audio.band_stats"}, {K::demo, "audio.demo"}};
  for (const auto& [kind, name] : expected) {
    ASSERT_TRUE(r.has(kind, name)) << name;
    EXPECT_EQ(r.info(kind, name).plugin, "audio");
    for (const auto& spec : r.info(kind, name).options) EXPECT_FALSE(spec.help().empty()) << name << "." << spec.name();
  }
  // Options are validated with the recipe path in the message.
  try {
    r.block(json{{"name", "audio.mel"}, {"n_fft", 256}, {"win_length", 512}}, "inputs[0]");
    FAIL() << "win_length > n_fft accepted";
  } catch (const adapt::OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("inputs[0].win_length"), std::string::npos) << e.what();
  }
}

TEST(AudioPlugin, MelBlockEncodesNormalisesAndRoundTripsState) {
  TempDir dir("block");
  auto records = tone_records(dir.path, 4, {300, 900});
  auto blocks = make_blocks(mel_spec(), records);
  const auto& block = blocks->input("x");
  EXPECT_EQ(block.dims()["height"], 32);
  EXPECT_EQ(block.dims()["width"], 51);
  EXPECT_TRUE(block.random_on_train());

  // Global statistics are learned on these (training) records: their images are ~standardised.
  std::vector<torch::Tensor> images;
  for (size_t row = 0; row < records.size(); ++row)
    images.push_back(block.encode(records, row, context(adapt::Split::valid)).at(""));
  auto all = torch::stack(images);  // [n, 1, 32, 51]
  EXPECT_EQ(all.sizes(), (std::vector<int64_t>{8, 1, 32, 51}));
  EXPECT_LT(all.mean({0, 1, 3}).abs().max().item<float>(), 1e-3);
  EXPECT_NEAR(all.std().item<float>(), 1.0, 0.05);

  // Valid encoding is deterministic; training crops of a long clip move with the Rng.
  EXPECT_TRUE(torch::equal(images[0], block.encode(records, 0, context(adapt::Split::valid)).at("")));
  adapt::Rng a(1), b(2);
  size_t long_row = 0;
  for (size_t row = 0; row < records.size(); ++row) {
    adapt::Rng probe(0);
    if (block.encode(records, row, context(adapt::Split::train, &probe)).at("").size(2) == 51) long_row = row;
  }
  bool differs = false;
  for (int i = 0; i < 5 && !differs; ++i)
    differs = !torch::equal(block.encode(records, long_row, context(adapt::Split::train, &a)).at(""),
                            block.encode(records, long_row, context(adapt::Split::train, &b)).at(""));
  EXPECT_TRUE(differs);

  // state() -> a fresh block -> identical images.
  auto fresh = registry().block(mel_spec(), "inputs[0]");
  fresh->load_state(block.state());
  for (size_t row = 0; row < records.size(); ++row)
    EXPECT_TRUE(torch::equal(images[row], fresh->encode(records, row, context(adapt::Split::valid)).at("")));
  // A state from other settings is refused.
  auto other = registry().block(json{{"name", "audio.mel"}, {"sample_rate", 8000}, {"n_mels", 40}}, "inputs[0]");
  EXPECT_THROW(other->load_state(block.state()), adapt::Error);
}

// on_missing "mark": a record without a file gives silence and `missing`; the default stays an error.
TEST(AudioPlugin, AbsentFilesAreMarkedMissingOnlyWhenAsked) {
  TempDir dir("missing");
  auto records = tone_records(dir.path, 3, {300, 900});
  records.add_row({"", "class0"}, "empty path");
  records.add_row({(dir.path / "gone.wav").string(), "class1"}, "gone");
  json spec = mel_spec();
  spec["on_missing"] = "mark";
  auto blocks = make_blocks(spec, records);  // statistics from the clips that exist
  const auto& block = blocks->input("x");
  std::vector<adapt::TensorDict> items;
  for (size_t row = 0; row < records.size(); ++row) items.push_back(block.encode(records, row, context(adapt::Split::valid)));
  const auto batch = block.collate(items);
  EXPECT_TRUE(torch::equal(batch.at("missing"), torch::tensor({false, false, false, false, false, false, true, true})));
  EXPECT_TRUE(torch::isfinite(batch.at("")).all().item<bool>());
  EXPECT_TRUE(torch::equal(batch.at("")[6], batch.at("")[7]));  // both silence

  auto strict = registry().block(mel_spec(), "inputs[0]");
  strict->load_state(block.state());
  try {
    strict->encode(records, 7, context(adapt::Split::valid));
    FAIL() << "an absent file was accepted without on_missing";
  } catch (const adapt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("gone.wav"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(strict->encode(records, 0, context(adapt::Split::valid)).count("missing"));
}

TEST(AudioPlugin, CsvReaderResolvesRelativePathsAndKeepsColumns) {
  TempDir dir("csv");
  fs::create_directories(dir.path / "clips");
  adapt::audio::write_wav(dir.path / "clips/a.wav", tone(8000, 0.2, 400), 8000);
  adapt::audio::write_wav(dir.path / "clips/b.wav", tone(8000, 0.2, 800), 8000);
  std::ofstream(dir.path / "list.csv") << "file,label,speaker\nclips/a.wav,low,x\nclips/b.wav,high,y\n";
  auto reader = registry().reader(
      json{{"name", "audio.csv"}, {"path", (dir.path / "list.csv").string()}, {"path_column", "file"}}, "reader");
  auto records = reader->read();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at(0, "file"), (dir.path / "clips/a.wav").string());
  EXPECT_EQ(records.at(1, "speaker"), "y");
  std::ofstream(dir.path / "bad.csv") << "file,label\nclips/missing.wav,low\n";
  try {
    registry().reader(json{{"name", "audio.csv"}, {"path", (dir.path / "bad.csv").string()}, {"path_column", "file"}},
                      "reader")->read();
    FAIL() << "missing file accepted";
  } catch (const adapt::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.wav"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.csv:2"), std::string::npos) << e.what();
  }
  // on_missing "keep": rows without audio stay, an empty path stays empty, the others are still checked.
  std::ofstream(dir.path / "gaps.csv") << "file,label\nclips/a.wav,low\n,high\nclips/missing.wav,low\n";
  auto gaps = registry().reader(json{{"name", "audio.csv"}, {"path", (dir.path / "gaps.csv").string()},
                                     {"path_column", "file"}, {"on_missing", "keep"}}, "reader")->read();
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_EQ(gaps.at(1, "file"), "");
  EXPECT_EQ(gaps.at(2, "file"), (dir.path / "clips/missing.wav").string());
}

TEST(AudioPlugin, WaveTransformsHaveKnownEffects) {
  TempDir dir("wave");
  // Noise without silent bins, so a gain of g dB moves every bin of the dB image by exactly g.
  std::vector<float> noise(4000);
  adapt::Rng n(3);
  for (auto& v : noise) v = static_cast<float>(0.1 * n.normal());
  adapt::audio::write_wav(dir.path / "noise.wav", noise, 8000);
  adapt::Records records({"path", "label"}, "test");
  records.add_row({(dir.path / "noise.wav").string(), "a"});
  json input = mel_spec("none");
  input["top_db"] = 0;
  auto blocks = make_blocks(input, records);
  auto& r = registry();
  auto gain = r.transform(json{{"name", "audio.gain"}, {"max_db", 10}}, "transforms[0]");
  EXPECT_FALSE(gain->on_valid());
  gain->setup(*blocks);
  adapt::Rng crop(0);
  auto item = blocks->encode(records, 0, context(adapt::Split::train, &crop));
  ASSERT_TRUE(item.count("x.wave"));
  EXPECT_EQ(blocks->encode(records, 0, context(adapt::Split::valid)).count("x.wave"), 0u);
  const auto before = item.at("x").clone();
  adapt::Rng rng(7), replay(7);
  gain->apply(item, rng);
  const double db = replay.uniform(-10, 10);
  EXPECT_NEAR((item.at("x") - before).mean().item<double>(), db, 1e-3);
  EXPECT_LT((item.at("x") - before - db).abs().max().item<double>(), 2e-3);

  // Noise at exactly 20 dB SNR.
  auto noise_t = r.transform(json{{"name", "audio.noise"}, {"min_snr_db", 20}, {"max_snr_db", 20}}, "transforms[1]");
  noise_t->setup(*blocks);
  auto clean = item.at("x.wave").clone();
  noise_t->apply(item, rng);
  auto added = item.at("x.wave") - clean;
  const double snr = 10 * std::log10((clean * clean).mean().item<double>() / (added * added).mean().item<double>());
  EXPECT_NEAR(snr, 20.0, 0.5);

  // Roll by the replayed shift.
  auto shift = r.transform(json{{"name", "audio.time_shift"}, {"max_fraction", 0.5}}, "transforms[2]");
  shift->setup(*blocks);
  auto unshifted = item.at("x.wave").clone();
  adapt::Rng s(9), s_replay(9);
  shift->apply(item, s);
  const int64_t max_shift = 2000;
  const int64_t k = s_replay.integer(-max_shift, max_shift + 1);
  EXPECT_TRUE(torch::equal(item.at("x.wave"), torch::roll(unshifted, {k}, {0})));
}

// Where |wave| exceeds half its peak: [first, last] sample.
std::pair<int64_t, int64_t> loud_extent(const torch::Tensor& wave) {
  auto loud = torch::nonzero(wave.abs() > 0.5 * wave.abs().max().item<double>()).flatten();
  return {loud.min().item<int64_t>(), loud.max().item<int64_t>()};
}

// The frequency (Hz) of the largest DFT bin of a clip sampled at `rate`.
double peak_frequency(const torch::Tensor& wave, int64_t rate) {
  auto spectrum = torch::fft::rfft(wave.to(torch::kFloat64)).abs();
  return static_cast<double>(spectrum.argmax().item<int64_t>()) * rate / static_cast<double>(wave.size(0));
}

TEST(AudioPlugin, SpeedPlaysTheClipFasterOrSlowerAroundItsCentre) {
  TempDir dir("speed");
  // A 400 Hz burst of 0.2 s in the middle of a 0.5 s clip.
  std::vector<float> clip(4000, 0.0f);
  const auto burst = tone(8000, 0.2, 400.0);
  std::copy(burst.begin(), burst.end(), clip.begin() + 1200);
  adapt::audio::write_wav(dir.path / "burst.wav", clip, 8000);
  adapt::Records records({"path", "label"}, "test");
  records.add_row({(dir.path / "burst.wav").string(), "a"});
  auto blocks = make_blocks(mel_spec("none"), records);
  for (double rate : {1.25, 0.8}) {
    SCOPED_TRACE(rate);
    auto speed = registry().transform(json{{"name", "audio.speed"}, {"min_rate", rate}, {"max_rate", rate}, {"p", 1.0}},
                                      "transforms[0]");
    speed->setup(*blocks);
    adapt::Rng crop(0), rng(1);
    auto item = blocks->encode(records, 0, context(adapt::Split::train, &crop));
    const auto image_before = item.at("x").clone();
    speed->apply(item, rng);
    const auto& wave = item.at("x.wave");
    ASSERT_EQ(wave.size(0), 4000);
    // The burst lasts 1/rate as long, stays centred, and its pitch rises by the rate.
    const auto [first, last] = loud_extent(wave);
    EXPECT_NEAR(static_cast<double>(last - first + 1), 1600.0 / rate, 12.0);
    EXPECT_NEAR((first + last) / 2.0, 2000.0, 8.0);
    EXPECT_NEAR(peak_frequency(wave, 8000), 400.0 * rate, 4.0);
    EXPECT_FALSE(torch::allclose(item.at("x"), image_before)) << "the image is recomputed from the new waveform";
  }
  EXPECT_THROW(registry().transform(json{{"name", "audio.speed"}, {"min_rate", 1.2}, {"max_rate", 1.1}}, "transforms[0]"),
               adapt::OptionError);
}

TEST(AudioPlugin, SpecAugmentAndResizedCropOnImages) {
  auto& r = registry();
  auto spec = r.transform(json{{"name", "audio.spec_augment"}, {"n_freq_masks", 1}, {"freq_width", 5},
                               {"n_time_masks", 0}},
                          "transforms[0]");
  auto image = torch::arange(20 * 30, torch::kFloat32).reshape({1, 20, 30});
  const float mean = image.mean().item<float>();
  int masked_any = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    adapt::TensorDict item{{"x", image.clone()}};
    adapt::Rng rng(seed);
    spec->apply(item, rng);
    auto changed = (item.at("x") != image).any(2).squeeze(0);  // rows touched
    const int64_t rows = changed.sum().item<int64_t>();
    EXPECT_LE(rows, 5);
    if (rows > 0) {
      ++masked_any;
      auto idx = changed.nonzero().reshape({-1});
      EXPECT_EQ(idx.max().item<int64_t>() - idx.min().item<int64_t>() + 1, rows);  // one contiguous band
      EXPECT_TRUE((item.at("x").index_select(1, idx) == mean).all().item<bool>());
    }
  }
  EXPECT_GT(masked_any, 10);

  auto identity = r.transform(json{{"name", "audio.random_resized_crop"}, {"min_scale", 1.0}, {"min_ratio", 1.0},
                                   {"max_ratio", 1.0}},
                              "transforms[1]");
  adapt::TensorDict item{{"x", image.clone()}};
  adapt::Rng rng(1);
  identity->apply(item, rng);
  EXPECT_TRUE(torch::equal(item.at("x"), image));
  auto crop = r.transform(json{{"name", "audio.random_resized_crop"}, {"min_scale", 0.5}}, "transforms[2]");
  crop->apply(item, rng);
  EXPECT_EQ(item.at("x").sizes(), image.sizes());
  EXPECT_FALSE(torch::equal(item.at("x"), image));
  EXPECT_GE(item.at("x").min().item<float>(), 0.0f);
  EXPECT_LE(item.at("x").max().item<float>(), 599.0f);
}

TEST(AudioPlugin, MixupGivesSoftTargets) {
  TempDir dir("mixup");
  auto records = tone_records(dir.path, 2, {300, 900, 2000});
  auto blocks = make_blocks(mel_spec(), records);
  auto mixup = registry().transform(json{{"name", "audio.mixup"}, {"alpha", 0.4}}, "transforms[0]");
  mixup->setup(*blocks);
  auto x = torch::randn({4, 1, 3, 5});
  auto y = torch::tensor({0, 1, 2, 1}, torch::kLong);
  adapt::TensorDict batch{{"x", x.clone()}, {"y", y.clone()}};
  adapt::Rng rng(11), replay(11);
  mixup->apply(batch, rng);
  const double lam = adapt::audio::Mixup::sample_lambda(0.4, replay);
  auto perm = torch::randperm(4, replay.generator(), torch::kLong);
  EXPECT_GE(lam, 0.5);
  EXPECT_TRUE(torch::allclose(batch.at("x"), x * lam + x.index_select(0, perm) * (1 - lam)));
  auto onehot = torch::one_hot(y, 3).to(torch::kFloat32);
  EXPECT_TRUE(torch::allclose(batch.at("y"), onehot * lam + onehot.index_select(0, perm) * (1 - lam)));
  EXPECT_TRUE(torch::allclose(batch.at("y").sum(1), torch::ones({4})));
}

TEST(AudioPlugin, ModelsAreSizedFromTheBlockAndTrain) {
  TempDir dir("models");
  auto records = tone_records(dir.path, 2, {300, 900, 2000});
  auto blocks = make_blocks(mel_spec(), records);
  adapt::ModelContext ctx{*blocks, 3};
  std::vector<adapt::Sample> items;
  for (size_t row = 0; row < records.size(); ++row) items.push_back(blocks->encode(records, row, context(adapt::Split::valid)));
  auto batch = blocks->collate(items);
  for (const char* name : {"audio.cnn", "audio.resnet"}) {
    SCOPED_TRACE(name);
    auto model = registry().model(json{{"name", name}, {"channels", {8, 16}}}, "model", ctx);
    auto out = model->forward(batch);
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{6, 3}));
    EXPECT_EQ(model->layer_groups().size(), 2u);
    // Convolution weights are channels-last, so oneDNN keeps activations NHWC (bench/audio).
    for (const auto& p : model->named_parameters()) {
      if (p.value().dim() == 4) {
        EXPECT_EQ(p.value().suggest_memory_format(), torch::MemoryFormat::ChannelsLast) << p.key();
      }
    }
    // A few steps on six items drive the loss down.
    torch::optim::Adam opt(model->parameters(), 1e-2);
    double first = 0, last = 0;
    for (int step = 0; step < 15; ++step) {
      opt.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model->forward(batch), batch.at("y"));
      loss.backward();
      opt.step();
      (step == 0 ? first : last) = loss.item<double>();
    }
    EXPECT_LT(last, first);
  }
}

TEST(AudioPlugin, BandStatsBaselineSeparatesPitches) {
  TempDir dir("baseline");
  auto records = tone_records(dir.path, 8, {300, 900, 2000});
  adapt::SplitIndices split;
  for (size_t row = 0; row < records.size(); ++row) (row % 4 == 3 ? split.valid : split.train).push_back(row);
  auto blocks = make_blocks(mel_spec(), records.subset(split.train));
  auto baseline = registry().baseline(json{{"name", "audio.band_stats"}}, "baselines[0]");
  adapt::BaselineContext ctx{records, split, *blocks};
  baseline->fit(ctx);
  auto out = baseline->predict(ctx, split.valid);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{static_cast<int64_t>(split.valid.size()), 3}));
  EXPECT_TRUE(torch::allclose(out.exp().sum(1), torch::ones({out.size(0)}), 1e-4, 1e-4));  // log-probabilities
  for (size_t i = 0; i < split.valid.size(); ++i)
    EXPECT_EQ("class" + std::to_string(out[static_cast<int64_t>(i)].argmax().item<int64_t>()),
              records.at(split.valid[i], "label"));
}
