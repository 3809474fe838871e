#pragma once
// Waveform augmentations (item level, training only): random gain, additive white noise at a random
// SNR, time shift/roll, and speed perturbation. They work on the cropped waveform that the audio
// block emits on the training split ("x.wave") and recompute the block's image "x" from it, so they
// must come before image transforms (SpecAugment, random resized crop) in the recipe's transform
// list.
#include <memory>

#include "adapt/data/transform.h"
#include "feature_block.h"

namespace adapt::audio {

class WaveTransform : public Transform {
 public:
  explicit WaveTransform(const Options& options);
  TransformLevel level() const override { return TransformLevel::item; }
  double p() const override { return p_; }
  // Finds the audio block at `key` and asks it to emit the waveform on train.
  void setup(const DataBlocks& blocks) override;
  void apply(TensorDict& data, Rng& rng) const override;

 protected:
  // Changes `wave` (1-D float, a private copy) in place.
  virtual void augment(torch::Tensor& wave, Rng& rng) const = 0;
  static OptionSchema base_schema(double default_p);

 private:
  std::string key_;
  double p_;
  std::shared_ptr<FeatureBlock> block_;
};

// Multiplies by 10^(g/20), g uniform in [-max_db, max_db].
class GainTransform : public WaveTransform {
 public:
  explicit GainTransform(const Options& options);
  static OptionSchema schema();

 protected:
  void augment(torch::Tensor& wave, Rng& rng) const override;

 private:
  double max_db_;
};

// Adds white Gaussian noise at an SNR uniform in [min_snr_db, max_snr_db] relative to the clip's
// mean power over its non-silent samples.
class NoiseTransform : public WaveTransform {
 public:
  explicit NoiseTransform(const Options& options);
  static OptionSchema schema();

 protected:
  void augment(torch::Tensor& wave, Rng& rng) const override;

 private:
  double min_snr_db_, max_snr_db_;
};

// Shifts by up to max_fraction of the clip either way; roll wraps around, otherwise zeros fill in.
class ShiftTransform : public WaveTransform {
 public:
  explicit ShiftTransform(const Options& options);
  static OptionSchema schema();

 protected:
  void augment(torch::Tensor& wave, Rng& rng) const override;

 private:
  double max_fraction_;
  bool roll_;
};

// Speed perturbation (Ko et al. 2015; Kaldi's speed perturb): plays the clip at a rate uniform in
// [min_rate, max_rate] (1.1 = 10% faster and a little higher) by band-limited resampling, around the
// clip's centre, at the clip's length (cropped or zero-padded equally at both ends). Speakers say
// the same word faster or slower from one take to the next; resized crops only ever stretch.
class SpeedTransform : public WaveTransform {
 public:
  explicit SpeedTransform(const Options& options);
  static OptionSchema schema();

 protected:
  void augment(torch::Tensor& wave, Rng& rng) const override;

 private:
  double min_rate_, max_rate_;
};

}  // namespace adapt::audio
