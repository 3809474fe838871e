#pragma once
// audio.spectrogram / audio.mel / audio.mfcc: a path column -> decoded, mono, resampled waveform,
// cropped or padded to a fixed duration (random placement on train, centred crop / end padding
// otherwise) -> a one-channel time-frequency image [1, n_bins, n_frames], optionally normalised.
#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapt/data/block.h"
#include "audio_file.h"
#include "feature_extractor.h"

namespace adapt::audio {

// Per-example: each image to zero mean / unit variance. Global: per-band mean and standard
// deviation learned on the training records (exported with the model).
enum class Normalization { none, example, global };

class FeatureBlock : public Block {
 public:
  FeatureBlock(FeatureKind kind, const Options& options);

  static OptionSchema schema(FeatureKind kind);

  std::vector<std::string> columns() const override { return {column_}; }
  void setup(const Records& train) override;
  // {"": [1, n_bins, n_frames]} plus {"wave": [samples]} on train once a waveform transform asked.
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  bool random_on_train() const override { return random_crop_; }
  json dims() const override;
  json state() const override;
  void load_state(const json& state) override;
  std::string describe(const Records& records, size_t row) const override;
  json audit(const Records& records, const std::vector<size_t>& rows) const override;
  // Sanity noise: a clip of silence (zeros) or of white noise (N(0, 0.1^2) samples, -20 dBFS), of the
  // block's duration, through the same features and normalisation as encode().
  std::vector<std::string> noise_kinds() const override { return {"silence", "white noise"}; }
  // Explanations: ten time bands of the clip, each set to the image's minimum (silence), named by
  // their seconds ("0.40-0.50 s").
  std::vector<InputPart> parts(const Records& records, size_t row, const TensorDict& item) const override;
  // show-batch: the image as a heatmap (low frequencies at the bottom) and a player of the clip as the
  // model hears it (the transformed waveform on train, else the centred crop).
  std::string show(const Records& records, size_t row, const TensorDict& item) const override;
  TensorDict noise(const Records& records, size_t row, const EncodeContext& encode_ctx, const std::string& kind,
                   const NoiseContext& ctx) const override;
  // The waveform noise() starts from: [n_samples].
  torch::Tensor noise_wave(const std::string& kind, Rng& rng) const;
  static constexpr double kWhiteNoiseStd = 0.1;

  // --- for this plugin's transforms and baseline ------------------------------------------------
  // The image of a (cropped) waveform as encode() makes it: [1, n_bins, n_frames].
  torch::Tensor image_from_wave(const torch::Tensor& wave) const;
  // The deterministic, un-normalised feature of a record: [n_bins, n_frames]; of the centred crop
  // encode() uses, or of the whole clip.
  torch::Tensor raw_features(const Records& records, size_t row, bool whole_clip = false) const;
  // Waveform transforms (gain, noise, shift) call this in their setup: encode() then also emits the
  // cropped waveform on the training split.
  void emit_wave_on_train() { emit_wave_ = true; }
  int64_t n_samples() const { return n_samples_; }
  int64_t sample_rate() const { return extractor_.options().sample_rate; }
  LogMode log_mode() const { return extractor_.options().log; }
  const FeatureExtractor& extractor() const { return extractor_; }

 private:
  // Decoded + resampled mono waveform of a file, cached (thread-safe) up to cache_bytes_.
  std::shared_ptr<const std::vector<float>> load(const std::string& path) const;
  // With on_missing "mark": an empty path or one naming no file (a record without audio).
  bool absent(const std::string& path) const;
  // Crops or pads to n_samples_: random offset when rng is given, else centred crop / end padding.
  std::vector<float> fit_length(const std::vector<float>& wave, Rng* rng) const;
  torch::Tensor normalize(torch::Tensor image) const;
  // What encode() emits for a cropped waveform [n_samples].
  TensorDict item_of(const torch::Tensor& wave, bool missing, bool train) const;

  FeatureKind kind_;
  std::string column_;
  FeatureExtractor extractor_;
  int64_t n_samples_;
  ResampleQuality quality_;
  bool random_crop_;
  bool mark_missing_;  // on_missing "mark": absent files give silence and `missing`, not an error
  Normalization normalization_;
  int64_t stats_max_items_;
  std::atomic<bool> emit_wave_{false};
  torch::Tensor mean_, std_;  // [n_bins, 1] when normalization_ == global

  size_t cache_bytes_;
  mutable std::shared_mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::shared_ptr<const std::vector<float>>> cache_;
  mutable size_t cached_bytes_ = 0;
};

FeatureKind parse_feature_kind(const std::string& name);
const char* to_string(FeatureKind kind);

}  // namespace adapt::audio
