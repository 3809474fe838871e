// The audio plugin's registration: every component with its documented options and defaults.
#include "adapt/plugin.h"

#include <memory>

#include "band_stats_baseline.h"
#include "demo.h"
#include "feature_block.h"
#include "image_transforms.h"
#include "mixup.h"
#include "models.h"
#include "readers.h"
#include "wave_transforms.h"

namespace {

using namespace adapt;
using namespace adapt::audio;

void register_audio(Registry& r) {
  r.add_reader("audio.folder", "folder-per-class audio files (every format libsndfile reads) -> path, label",
               FolderReader::schema(), [](const Options& o) { return std::make_shared<FolderReader>(o); });
  r.add_reader("audio.csv", "a CSV/TSV with a column of audio file paths (relative to the CSV) and any labels",
               CsvReader::schema(), [](const Options& o) { return std::make_shared<CsvReader>(o); });

  r.add_block("audio.spectrogram", "audio file -> (log) spectrogram image [1, n_fft/2+1, frames], torchaudio-equal",
              FeatureBlock::schema(FeatureKind::spectrogram),
              [](const Options& o) { return std::make_shared<FeatureBlock>(FeatureKind::spectrogram, o); });
  r.add_block("audio.mel", "audio file -> (log) mel spectrogram image [1, n_mels, frames], torchaudio-equal",
              FeatureBlock::schema(FeatureKind::mel),
              [](const Options& o) { return std::make_shared<FeatureBlock>(FeatureKind::mel, o); });
  r.add_block("audio.mfcc", "audio file -> MFCC image [1, n_mfcc, frames], torchaudio-equal",
              FeatureBlock::schema(FeatureKind::mfcc),
              [](const Options& o) { return std::make_shared<FeatureBlock>(FeatureKind::mfcc, o); });

  r.add_transform("audio.gain", "random gain in dB on the waveform (train only)", GainTransform::schema(),
                  [](const Options& o) { return std::make_shared<GainTransform>(o); });
  r.add_transform("audio.noise", "white noise at a random SNR on the waveform (train only)", NoiseTransform::schema(),
                  [](const Options& o) { return std::make_shared<NoiseTransform>(o); });
  r.add_transform("audio.time_shift", "random time shift or roll of the waveform (train only)",
                  ShiftTransform::schema(), [](const Options& o) { return std::make_shared<ShiftTransform>(o); });
  r.add_transform("audio.speed", "speed perturbation: the waveform played faster or slower (train only)",
                  SpeedTransform::schema(), [](const Options& o) { return std::make_shared<SpeedTransform>(o); });
  r.add_transform("audio.spec_augment", "SpecAugment frequency and time masks on the image (train only)",
                  SpecAugment::schema(), [](const Options& o) { return std::make_shared<SpecAugment>(o); });
  r.add_transform("audio.random_resized_crop", "fastai RandomResizedCrop on the time-frequency image (train only)",
                  RandomResizedCrop::schema(), [](const Options& o) { return std::make_shared<RandomResizedCrop>(o); });
  r.add_transform("audio.mixup", "mixup of batches with soft targets (train only)", Mixup::schema(),
                  [](const Options& o) { return std::make_shared<Mixup>(o); });

  r.add_model("audio.cnn", "conv-BN-ReLU-maxpool stages + avg/max pooling, for spectrogram images",
              AudioCnn::schema(),
              [](const Options& o, const ModelContext& ctx) { return std::make_shared<AudioCnn>(o, ctx); });
  r.add_model("audio.resnet", "ResNet basic blocks + avg/max pooling, for spectrogram images", AudioResNet::schema(),
              [](const Options& o, const ModelContext& ctx) { return std::make_shared<AudioResNet>(o, ctx); });

  r.add_baseline("audio.band_stats", "logistic regression on per-band mean and std of the log-mel",
                 BandStatsBaseline::schema(), [](const Options& o) { return std::make_shared<BandStatsBaseline>(o); });

  r.add_demo("audio.demo", "synthetic tones, chirps, noise bursts and vowels as WAV files; CNN vs baseline",
             AudioDemo::schema(), [](const Options& o) { return std::make_shared<AudioDemo>(o); });
}

}  // namespace

ADAPT_PLUGIN("audio", "0.1.0", "MIT", "Sound files as spectrogram images: features, augmentations, CNNs, baseline",
             register_audio)
