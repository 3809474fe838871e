#pragma once
// Spectrogram, mel spectrogram and MFCC on a mono float waveform, computed with FFTW and numerically
// equal to torchaudio 0.13's Spectrogram / MelSpectrogram / MFCC (+ AmplitudeToDB) with the same
// settings: centred frames with reflect padding, a periodic Hann window of win_length centred in
// n_fft, one-sided FFT, |X|^power, triangular mel filters (HTK or Slaney scale, optional Slaney
// area norm), dB with top_db clamped per spectrogram, and an orthonormal DCT-II for MFCC.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "adapt/common/options.h"

namespace adapt::audio {

enum class FeatureKind { spectrogram, mel, mfcc };
enum class MelScale { htk, slaney };
enum class LogMode { none, db, log };  // log: ln(x + 1e-6), as torchaudio's MFCC(log_mels=True)

struct FeatureOptions {
  int64_t sample_rate = 16000;
  int64_t n_fft = 400;
  int64_t win_length = 0;  // 0: n_fft
  int64_t hop_length = 0;  // 0: win_length / 2
  double f_min = 0.0;
  double f_max = 0.0;  // 0: sample_rate / 2
  int64_t n_mels = 128;
  double power = 2.0;  // 2: power, 1: magnitude
  bool center = true;
  bool reflect_pad = true;  // false: zero padding when centring
  MelScale mel_scale = MelScale::htk;
  bool slaney_norm = false;
  LogMode log = LogMode::db;
  double top_db = 80.0;  // <= 0: no clamp
  int64_t n_mfcc = 40;

  int64_t effective_win_length() const { return win_length > 0 ? win_length : n_fft; }
  int64_t effective_hop_length() const { return hop_length > 0 ? hop_length : effective_win_length() / 2; }
  double effective_f_max() const { return f_max > 0 ? f_max : sample_rate / 2.0; }

  json to_json() const;
  // Throws OptionError (prefixed with `path`) for inconsistent settings (win_length > n_fft, ...).
  void check(const std::string& path, FeatureKind kind) const;
};

// Mel filterbank exactly as torchaudio.functional.melscale_fbanks: [n_freqs, n_mels].
torch::Tensor mel_filterbank(int64_t n_freqs, double f_min, double f_max, int64_t n_mels, int64_t sample_rate,
                             MelScale scale, bool slaney_norm);
// Orthonormal DCT-II matrix as torchaudio.functional.create_dct(n_mfcc, n_mels, "ortho"): [n_mels, n_mfcc].
torch::Tensor dct_matrix(int64_t n_mfcc, int64_t n_mels);
double hz_to_mel(double hz, MelScale scale);
double mel_to_hz(double mel, MelScale scale);

// A feature extractor for one setting. Immutable after construction and thread-safe: FFTW plans are
// shared (made once per size under a mutex) and each thread uses its own aligned work buffers.
class FeatureExtractor {
 public:
  FeatureExtractor(FeatureKind kind, FeatureOptions options);

  FeatureKind kind() const { return kind_; }
  const FeatureOptions& options() const { return options_; }
  // Rows of the output: n_fft/2+1, n_mels or n_mfcc.
  int64_t n_bins() const;
  int64_t n_frames(int64_t n_samples) const;

  // wave: n samples -> float tensor [n_bins, n_frames].
  torch::Tensor compute(const float* wave, int64_t n) const;
  torch::Tensor compute(const torch::Tensor& wave) const;  // 1-D float

 private:
  // Rows of the linear (pre-log) feature: frequency bins for a spectrogram, mels otherwise.
  int64_t linear_rows() const;
  // The linear (pre-log) feature into `out` laid out bin-major [linear_rows(), n_frames].
  void linear_frames(const float* wave, int64_t n, float* out) const;
  // The mel filters of up to 8 frames at once (see the .cpp), into rows `stride` apart.
  void apply_mel(const float* power, int64_t lanes, float* out, int64_t stride) const;

  FeatureKind kind_;
  FeatureOptions options_;
  int64_t n_freqs_;
  std::vector<float> window_;  // n_fft long, Hann of win_length centred
  // Sparse mel filters: for each mel, the first bin and the weights of its non-zero run.
  std::vector<int64_t> mel_start_;
  std::vector<std::vector<float>> mel_weights_;
  std::vector<float> dct_;  // [n_mfcc][n_mels]
};

}  // namespace adapt::audio
