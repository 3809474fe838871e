#include "wave_transforms.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "adapt/data/data_blocks.h"
#include "audio_file.h"
#include "image_transforms.h"
#include "mixup.h"
#include "register.h"

namespace adapt::audio {

OptionSchema WaveTransform::base_schema(double default_p) {
  return {OptionSpec("key", OptionType::string, "x", "batch key of the audio block (audio.mel, ...)"),
          OptionSpec("p", OptionType::number, default_p, "probability of applying to each training item").min(0).max(1)};
}

WaveTransform::WaveTransform(const Options& options) : key_(options.string("key")), p_(options.number("p")) {}

void WaveTransform::setup(const DataBlocks& blocks) {
  for (const auto& bound : blocks.inputs())
    if (bound.key == key_) {
      block_ = std::dynamic_pointer_cast<FeatureBlock>(bound.block);
      if (!block_)
        throw OptionError("transforms: the waveform augmentations need an audio block (audio.spectrogram, "
                          "audio.mel, audio.mfcc) at key '" + key_ + "'");
      block_->emit_wave_on_train();
      return;
    }
  throw OptionError("transforms: no input block has key '" + key_ + "'; set the transform's \"key\"");
}

void WaveTransform::apply(TensorDict& data, Rng& rng) const {
  if (!block_) throw Error("audio: waveform transform applied before setup(); the loader calls setup first");
  auto found = data.find(key_ + ".wave");
  if (found == data.end())
    throw Error("audio: no '" + key_ + ".wave' in the item; waveform augmentations run on the training split only");
  torch::Tensor wave = found->second.clone();
  augment(wave, rng);
  found->second = wave;
  data[key_] = block_->image_from_wave(wave);
}

// --- gain -----------------------------------------------------------------------------------------

OptionSchema GainTransform::schema() {
  auto s = base_schema(0.5);
  s.push_back(OptionSpec("max_db", OptionType::number, 6.0, "largest gain change in dB, either way").min(0).max(60));
  return s;
}

GainTransform::GainTransform(const Options& options) : WaveTransform(options), max_db_(options.number("max_db")) {}

void GainTransform::augment(torch::Tensor& wave, Rng& rng) const {
  const double db = rng.uniform(-max_db_, max_db_);
  wave.mul_(std::pow(10.0, db / 20.0));
}

// --- noise ----------------------------------------------------------------------------------------

OptionSchema NoiseTransform::schema() {
  auto s = base_schema(0.5);
  s.push_back(OptionSpec("min_snr_db", OptionType::number, 10.0, "lowest signal-to-noise ratio (dB)").min(-20).max(100));
  s.push_back(OptionSpec("max_snr_db", OptionType::number, 40.0, "highest signal-to-noise ratio (dB)").min(-20).max(100));
  return s;
}

NoiseTransform::NoiseTransform(const Options& options)
    : WaveTransform(options), min_snr_db_(options.number("min_snr_db")), max_snr_db_(options.number("max_snr_db")) {
  if (min_snr_db_ > max_snr_db_)
    throw options.error("min_snr_db", "must be <= max_snr_db (" + std::to_string(max_snr_db_) + "), got " +
                                          std::to_string(min_snr_db_));
}

void NoiseTransform::augment(torch::Tensor& wave, Rng& rng) const {
  // Power over the non-silent samples, so zero padding does not make the clip look quieter.
  auto active = wave.abs() > 0;
  const int64_t n_active = active.sum().item<int64_t>();
  if (n_active == 0) return;
  const double power = (wave * wave).sum().item<double>() / static_cast<double>(n_active);
  const double snr_db = rng.uniform(min_snr_db_, max_snr_db_);
  const double noise_std = std::sqrt(power / std::pow(10.0, snr_db / 10.0));
  wave.add_(torch::randn(wave.sizes(), rng.generator(), torch::kFloat32) * noise_std);
}

// --- shift ----------------------------------------------------------------------------------------

OptionSchema ShiftTransform::schema() {
  auto s = base_schema(0.5);
  s.push_back(OptionSpec("max_fraction", OptionType::number, 0.2, "largest shift as a fraction of the clip").min(0).max(1));
  s.push_back(OptionSpec("roll", OptionType::boolean, true, "wrap around (true) or fill with silence (false)"));
  return s;
}

ShiftTransform::ShiftTransform(const Options& options)
    : WaveTransform(options), max_fraction_(options.number("max_fraction")), roll_(options.boolean("roll")) {}

void ShiftTransform::augment(torch::Tensor& wave, Rng& rng) const {
  const int64_t n = wave.size(0);
  const int64_t max_shift = static_cast<int64_t>(max_fraction_ * static_cast<double>(n));
  if (max_shift == 0) return;
  const int64_t shift = rng.integer(-max_shift, max_shift + 1);
  if (shift == 0) return;
  auto rolled = torch::roll(wave, {shift}, {0});
  if (!roll_) {
    if (shift > 0)
      rolled.slice(0, 0, shift).zero_();
    else
      rolled.slice(0, n + shift, n).zero_();
  }
  wave = rolled;
}

// --- speed ----------------------------------------------------------------------------------------

OptionSchema SpeedTransform::schema() {
  auto s = base_schema(0.5);
  s.push_back(OptionSpec("min_rate", OptionType::number, 0.9, "slowest playback rate (0.9 = 10% slower)").min(0.25).max(4));
  s.push_back(OptionSpec("max_rate", OptionType::number, 1.1, "fastest playback rate (1.1 = 10% faster)").min(0.25).max(4));
  return s;
}

SpeedTransform::SpeedTransform(const Options& options)
    : WaveTransform(options), min_rate_(options.number("min_rate")), max_rate_(options.number("max_rate")) {
  if (min_rate_ > max_rate_)
    throw options.error("min_rate", "must be <= max_rate (" + std::to_string(max_rate_) + "), got " +
                                        std::to_string(min_rate_));
}

void SpeedTransform::augment(torch::Tensor& wave, Rng& rng) const {
  const double rate = rng.uniform(min_rate_, max_rate_);
  const int64_t n = wave.size(0);
  const float* in = wave.data_ptr<float>();
  // libsamplerate's cheapest sinc converter: it keeps 80% of the band, plenty for an augmentation
  // that runs on every training item.
  const auto played = resample_by(std::vector<float>(in, in + n), 1.0 / rate, ResampleQuality::fastest, "audio.speed");
  const int64_t m = static_cast<int64_t>(played.size());
  auto out = torch::zeros({n}, torch::kFloat32);
  float* o = out.data_ptr<float>();
  if (m >= n)
    std::copy_n(played.begin() + (m - n) / 2, n, o);
  else
    std::copy(played.begin(), played.end(), o + (n - m) / 2);
  wave = out;
}

// Every audio transform, the image ones and mixup included, so the kind has one registration function.
void register_transforms(Registry& registry) {
  registry.add_transform("audio.gain", "random gain in dB on the waveform (train only)", GainTransform::schema(),
                         [](const Options& o) { return std::make_shared<GainTransform>(o); });
  registry.add_transform("audio.noise", "white noise at a random SNR on the waveform (train only)",
                         NoiseTransform::schema(),
                         [](const Options& o) { return std::make_shared<NoiseTransform>(o); });
  registry.add_transform("audio.time_shift", "random time shift or roll of the waveform (train only)",
                         ShiftTransform::schema(),
                         [](const Options& o) { return std::make_shared<ShiftTransform>(o); });
  registry.add_transform("audio.speed", "speed perturbation: the waveform played faster or slower (train only)",
                         SpeedTransform::schema(),
                         [](const Options& o) { return std::make_shared<SpeedTransform>(o); });
  registry.add_transform("audio.spec_augment", "SpecAugment frequency and time masks on the image (train only)",
                         SpecAugment::schema(), [](const Options& o) { return std::make_shared<SpecAugment>(o); });
  registry.add_transform(
      "audio.random_resized_crop", "fastai RandomResizedCrop on the time-frequency image (train only)",
      RandomResizedCrop::schema(), [](const Options& o) { return std::make_shared<RandomResizedCrop>(o); });
  registry.add_transform("audio.mixup", "mixup of batches with soft targets (train only)", Mixup::schema(),
                         [](const Options& o) { return std::make_shared<Mixup>(o); });
}

}  // namespace adapt::audio
