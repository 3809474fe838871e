#pragma once
// Augmentations on the time-frequency image "x" [C, n_bins, n_frames] (item level, training only).
#include "adapt/data/transform.h"

namespace adapt::audio {

// SpecAugment (Park et al. 2019) without time warping: n_freq_masks bands of up to freq_width rows
// and n_time_masks spans of up to time_width frames set to the image's mean.
class SpecAugment : public Transform {
 public:
  explicit SpecAugment(const Options& options);
  static OptionSchema schema();
  TransformLevel level() const override { return TransformLevel::item; }
  double p() const override { return p_; }
  void apply(TensorDict& data, Rng& rng) const override;

 private:
  std::string key_;
  double p_;
  int64_t n_freq_masks_, freq_width_, n_time_masks_, time_width_;
};

// fastai's RandomResizedCrop adapted to spectrograms: a crop covering a random fraction
// [min_scale, 1] of the image, with aspect ratio in [min_ratio, max_ratio] relative to the image's
// own, resized back to the image size (bilinear). Stretching the frequency axis acts like a vocal
// tract length change; keep_frequency crops along time only.
class RandomResizedCrop : public Transform {
 public:
  explicit RandomResizedCrop(const Options& options);
  static OptionSchema schema();
  TransformLevel level() const override { return TransformLevel::item; }
  double p() const override { return p_; }
  void apply(TensorDict& data, Rng& rng) const override;

 private:
  std::string key_;
  double p_, min_scale_, min_ratio_, max_ratio_;
  bool keep_frequency_;
};

}  // namespace adapt::audio
