#pragma once
// `adapt demo audio`: four classes of synthetic sounds written as 8 kHz 16-bit WAV files through
// libsndfile (tones, chirps, noise bursts, vowel-like formant sounds) with random pitch, length,
// level and background noise; a mel + CNN recipe next to the band-statistics baseline.
#include "adapt/plugin/demo.h"

namespace adapt::audio {

class AudioDemo : public Demo {
 public:
  explicit AudioDemo(const Options& options);
  static OptionSchema schema();
  std::string description() const override;
  // Writes dir/train/<class>/<class>_<i>.wav and dir/predict/<class>.wav (unseen clips).
  void generate(const std::filesystem::path& dir, uint64_t seed) const override;
  json recipe(const std::filesystem::path& data_dir) const override;
  std::vector<std::string> predict_inputs(const std::filesystem::path& data_dir) const override;

  static const std::vector<std::string>& classes();

 private:
  int64_t n_per_class_, epochs_;
};

}  // namespace adapt::audio
