#pragma once
// audio.band_stats: multinomial logistic regression (core linear_model.h) on the per-band mean and
// standard deviation over time of the audio block's un-normalised features (the log-mel for
// audio.mel), fitted on the training rows only. Says whether the CNN beats a bag of band statistics.
#include "adapt/baseline/baseline.h"
#include "adapt/baseline/linear_model.h"

namespace adapt::audio {

class FeatureBlock;

class BandStatsBaseline : public Baseline {
 public:
  explicit BandStatsBaseline(const Options& options);
  static OptionSchema schema();
  std::string description() const override;
  void fit(const BaselineContext& ctx) override;
  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override;

  // [rows, 2 * n_bins]: means then standard deviations.
  torch::Tensor features(const BaselineContext& ctx, const std::vector<size_t>& rows) const;

 private:
  const FeatureBlock& block(const BaselineContext& ctx) const;
  std::string key_;
  bool whole_clip_;
  LogisticRegression model_;
};

}  // namespace adapt::audio
