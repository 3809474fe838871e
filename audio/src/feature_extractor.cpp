#include "feature_extractor.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

#include "fft_plans.h"

namespace adapt::audio {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kFramesPerChunk = 32;  // frames transformed per FFTW call (plan_many)

constexpr int64_t kLanes = 8;            // frames whose mel filters run together (two SSE registers)

// Whether 8 samples are all zero (+0 or -0), in one vector compare rather than eight branches.
inline bool all_zero8(const float* x) {
  bool zero = true;
  for (int i = 0; i < 8; ++i) zero &= x[i] == 0.0f;
  return zero;
}

// |X|^2, or |X| for power 1.
inline float power_of(const fftwf_complex& x, bool magnitude) {
  const float v = x[0] * x[0] + x[1] * x[1];
  return magnitude ? std::sqrt(v) : v;
}
}  // namespace

json FeatureOptions::to_json() const {
  return json{{"sample_rate", sample_rate}, {"n_fft", n_fft},     {"win_length", effective_win_length()},
              {"hop_length", effective_hop_length()},            {"f_min", f_min},
              {"f_max", effective_f_max()},                      {"n_mels", n_mels},
              {"power", power},                                  {"center", center},
              {"pad_mode", reflect_pad ? "reflect" : "constant"},
              {"mel_scale", mel_scale == MelScale::htk ? "htk" : "slaney"},
              {"norm", slaney_norm ? "slaney" : "none"},
              {"log", log == LogMode::none ? "none" : log == LogMode::db ? "db" : "log"},
              {"top_db", top_db},                                {"n_mfcc", n_mfcc}};
}

void FeatureOptions::check(const std::string& path, FeatureKind kind) const {
  auto fail = [&](const std::string& key, const std::string& message) {
    throw OptionError(path + "." + key + ": " + message);
  };
  if (sample_rate < 1) fail("sample_rate", "must be >= 1, got " + std::to_string(sample_rate));
  if (n_fft < 2) fail("n_fft", "must be >= 2, got " + std::to_string(n_fft));
  if (effective_win_length() > n_fft)
    fail("win_length", "must be <= n_fft (" + std::to_string(n_fft) + "), got " + std::to_string(win_length) +
                           "; raise n_fft or shorten the window");
  if (effective_hop_length() < 1) fail("hop_length", "must be >= 1; set it explicitly for a 1-sample window");
  if (power != 1.0 && power != 2.0) fail("power", "must be 1 (magnitude) or 2 (power), got " + std::to_string(power));
  if (f_min < 0 || f_min >= effective_f_max())
    fail("f_min", "must be in [0, f_max = " + std::to_string(effective_f_max()) + "), got " + std::to_string(f_min));
  if (effective_f_max() > sample_rate / 2.0 + 1e-9)
    fail("f_max", "must be <= sample_rate / 2 = " + std::to_string(sample_rate / 2.0) + ", got " +
                      std::to_string(f_max));
  if (n_mels < 1) fail("n_mels", "must be >= 1, got " + std::to_string(n_mels));
  if (kind == FeatureKind::mfcc && (n_mfcc < 1 || n_mfcc > n_mels))
    fail("n_mfcc", "must be in [1, n_mels = " + std::to_string(n_mels) + "], got " + std::to_string(n_mfcc));
}

double hz_to_mel(double hz, MelScale scale) {
  if (scale == MelScale::htk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  if (hz >= min_log_hz) return min_log_mel + std::log(hz / min_log_hz) / logstep;
  return hz / f_sp;
}

double mel_to_hz(double mel, MelScale scale) {
  if (scale == MelScale::htk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  if (mel >= min_log_mel) return min_log_hz * std::exp(logstep * (mel - min_log_mel));
  return f_sp * mel;
}

torch::Tensor mel_filterbank(int64_t n_freqs, double f_min, double f_max, int64_t n_mels, int64_t sample_rate,
                             MelScale scale, bool slaney_norm) {
  // torchaudio spaces the FFT bins over [0, sample_rate // 2] (integer division) and works in float32;
  // computing in double and rounding once stays within 1e-6 of it.
  std::vector<double> all_freqs(n_freqs);
  const double top = static_cast<double>(sample_rate / 2);
  for (int64_t i = 0; i < n_freqs; ++i) all_freqs[i] = n_freqs == 1 ? 0.0 : top * i / (n_freqs - 1);
  const double m_min = hz_to_mel(f_min, scale), m_max = hz_to_mel(f_max, scale);
  std::vector<double> f_pts(n_mels + 2);
  for (int64_t i = 0; i < n_mels + 2; ++i) f_pts[i] = mel_to_hz(m_min + (m_max - m_min) * i / (n_mels + 1), scale);
  auto fb = torch::zeros({n_freqs, n_mels}, torch::kFloat32);
  auto a = fb.accessor<float, 2>();
  for (int64_t m = 0; m < n_mels; ++m) {
    const double lower = f_pts[m + 1] - f_pts[m], upper = f_pts[m + 2] - f_pts[m + 1];
    const double enorm = slaney_norm ? 2.0 / (f_pts[m + 2] - f_pts[m]) : 1.0;
    for (int64_t f = 0; f < n_freqs; ++f) {
      const double down = (all_freqs[f] - f_pts[m]) / lower;
      const double up = (f_pts[m + 2] - all_freqs[f]) / upper;
      a[f][m] = static_cast<float>(std::max(0.0, std::min(down, up)) * enorm);
    }
  }
  return fb;
}

torch::Tensor dct_matrix(int64_t n_mfcc, int64_t n_mels) {
  auto dct = torch::empty({n_mels, n_mfcc}, torch::kFloat32);
  auto a = dct.accessor<float, 2>();
  for (int64_t n = 0; n < n_mels; ++n)
    for (int64_t k = 0; k < n_mfcc; ++k) {
      const double scale = k == 0 ? std::sqrt(1.0 / n_mels) : std::sqrt(2.0 / n_mels);
      a[n][k] = static_cast<float>(std::cos(kPi / n_mels * (n + 0.5) * k) * scale);
    }
  return dct;
}

FeatureExtractor::FeatureExtractor(FeatureKind kind, FeatureOptions options)
    : kind_(kind), options_(std::move(options)), n_freqs_(options_.n_fft / 2 + 1) {
  const int64_t n_fft = options_.n_fft, win = options_.effective_win_length();
  window_.assign(n_fft, 0.0f);
  const int64_t left = (n_fft - win) / 2;  // torch.stft centres a shorter window inside n_fft
  for (int64_t i = 0; i < win; ++i)
    window_[left + i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * kPi * i / win));  // periodic Hann

  if (kind_ != FeatureKind::spectrogram) {
    auto fb = mel_filterbank(n_freqs_, options_.f_min, options_.effective_f_max(), options_.n_mels,
                             options_.sample_rate, options_.mel_scale, options_.slaney_norm);
    auto a = fb.accessor<float, 2>();
    mel_start_.resize(options_.n_mels);
    mel_weights_.resize(options_.n_mels);
    for (int64_t m = 0; m < options_.n_mels; ++m) {
      int64_t first = -1, last = -1;
      for (int64_t f = 0; f < n_freqs_; ++f)
        if (a[f][m] != 0.0f) {
          if (first < 0) first = f;
          last = f;
        }
      mel_start_[m] = first < 0 ? 0 : first;
      if (first >= 0)
        for (int64_t f = first; f <= last; ++f) mel_weights_[m].push_back(a[f][m]);
    }
  }
  if (kind_ == FeatureKind::mfcc) {
    auto d = dct_matrix(options_.n_mfcc, options_.n_mels);
    auto a = d.accessor<float, 2>();
    dct_.resize(options_.n_mfcc * options_.n_mels);
    for (int64_t k = 0; k < options_.n_mfcc; ++k)
      for (int64_t n = 0; n < options_.n_mels; ++n) dct_[k * options_.n_mels + n] = a[n][k];
  }
}

int64_t FeatureExtractor::n_bins() const {
  switch (kind_) {
    case FeatureKind::spectrogram: return n_freqs_;
    case FeatureKind::mel: return options_.n_mels;
    case FeatureKind::mfcc: return options_.n_mfcc;
  }
  return 0;
}

int64_t FeatureExtractor::n_frames(int64_t n_samples) const {
  const int64_t pad = options_.center ? options_.n_fft / 2 : 0;
  const int64_t padded = std::max(n_samples + 2 * pad, options_.n_fft);
  return 1 + (padded - options_.n_fft) / options_.effective_hop_length();
}

int64_t FeatureExtractor::linear_rows() const { return kind_ == FeatureKind::spectrogram ? n_freqs_ : options_.n_mels; }

void FeatureExtractor::linear_frames(const float* wave, int64_t n, float* out) const {
  const int64_t n_fft = options_.n_fft, hop = options_.effective_hop_length();
  const int64_t pad = options_.center ? n_fft / 2 : 0;
  const int64_t n_frames_total = n_frames(n);
  // Padded signal: reflect like torch.stft(center=True, pad_mode="reflect"); a clip too short to
  // reflect (n <= n_fft/2, which torch rejects) is zero padded instead.
  const int64_t padded_len = std::max(n + 2 * pad, n_fft);
  thread_local std::vector<float> padded;
  padded.resize(padded_len);  // each sample written once: the wave, then the pads around it
  std::copy(wave, wave + n, padded.begin() + pad);
  std::fill(padded.begin(), padded.begin() + pad, 0.0f);
  std::fill(padded.begin() + pad + n, padded.end(), 0.0f);
  if (pad > 0 && options_.reflect_pad && n > pad) {
    for (int64_t i = 0; i < pad; ++i) {
      padded[pad - 1 - i] = wave[i + 1];
      padded[pad + n + i] = wave[n - 2 - i];
    }
  }

  // Frames that start past the last non-zero sample (the zeros a padded batch adds) hold only zeros:
  // their spectrum is exactly zero, so they are written as zeros without an FFT. Bit-identical.
  int64_t last_nonzero = padded_len - 1;
  while (last_nonzero >= 7 && all_zero8(padded.data() + last_nonzero - 7)) last_nonzero -= 8;  // recordings end in silence
  while (last_nonzero >= 0 && padded[last_nonzero] == 0.0f) --last_nonzero;
  const int64_t n_frames_signal = std::min(n_frames_total, last_nonzero < 0 ? 0 : last_nonzero / hop + 1);
  for (int64_t r = 0; r < linear_rows(); ++r)
    std::fill(out + r * n_frames_total + n_frames_signal, out + (r + 1) * n_frames_total, 0.0f);

  FftBuffers& buffers = fft_buffers(n_fft, kFramesPerChunk);
  float* in = buffers.real;
  fftwf_complex* spectrum = buffers.complex;
  const bool magnitude = options_.power == 1.0;
  // The chunk's power spectra bin-major, [n_freqs][kFramesPerChunk], like the output: a spectrogram's
  // rows are copied out, and the mel filters run over kLanes frames at once.
  thread_local std::vector<float> power;
  power.resize(n_freqs_ * kFramesPerChunk);
  for (int64_t start = 0; start < n_frames_signal; start += kFramesPerChunk) {
    const int64_t k = std::min(kFramesPerChunk, n_frames_signal - start);
    for (int64_t j = 0; j < k; ++j) {
      const float* frame = padded.data() + (start + j) * hop;
      float* dst = in + j * n_fft;
      for (int64_t i = 0; i < n_fft; ++i) dst[i] = frame[i] * window_[i];
    }
    fftwf_execute_dft_r2c(r2c_plan(n_fft, k), in, spectrum);
    for (int64_t j = 0; j < k; ++j) {
      const fftwf_complex* s = spectrum + j * n_freqs_;
      for (int64_t f = 0; f < n_freqs_; ++f) power[f * kFramesPerChunk + j] = power_of(s[f], magnitude);
    }
    if (kind_ == FeatureKind::spectrogram) {
      for (int64_t f = 0; f < n_freqs_; ++f)
        std::copy(power.data() + f * kFramesPerChunk, power.data() + f * kFramesPerChunk + k,
                  out + f * n_frames_total + start);
      continue;
    }
    for (int64_t j0 = 0; j0 < k; j0 += kLanes)
      apply_mel(power.data() + j0, std::min(kLanes, k - j0), out + start + j0, n_frames_total);
  }
}

// Mel filters of `lanes` (<= kLanes) frames whose power spectra sit kFramesPerChunk apart, into row m
// of `out` at m * stride: acc[l] for frame l sums weight * power in the order of the filter's
// weights, as a loop over that frame alone would.
void FeatureExtractor::apply_mel(const float* power, int64_t lanes, float* out, int64_t stride) const {
  for (int64_t m = 0; m < options_.n_mels; ++m) {
    const auto& w = mel_weights_[m];
    const float* src = power + mel_start_[m] * kFramesPerChunk;
    float acc[kLanes] = {};
    for (size_t i = 0; i < w.size(); ++i) {
      const float wi = w[i];
      const float* column = src + static_cast<int64_t>(i) * kFramesPerChunk;
      for (int64_t l = 0; l < kLanes; ++l) acc[l] += wi * column[l];
    }
    float* row = out + m * stride;
    if (lanes == kLanes) {  // a fixed-size copy stays two register stores, not a call to memmove
      for (int64_t l = 0; l < kLanes; ++l) row[l] = acc[l];
    } else {
      for (int64_t l = 0; l < lanes; ++l) row[l] = acc[l];
    }
  }
}

torch::Tensor FeatureExtractor::compute(const torch::Tensor& wave) const {
  auto w = wave.to(torch::kFloat32).contiguous().reshape({-1});
  return compute(w.data_ptr<float>(), w.numel());
}

torch::Tensor FeatureExtractor::compute(const float* wave, int64_t n) const {
  const int64_t n_frames_total = n_frames(n);
  // Spectrograms and mels are written in place, [rows, n_frames]; MFCCs start from the mels.
  auto linear = torch::empty({linear_rows(), n_frames_total}, torch::kFloat32);
  linear_frames(wave, n, linear.data_ptr<float>());

  // Log: AmplitudeToDB (amin 1e-10, ref 1, top_db per spectrogram) or ln(x + 1e-6). ATen's
  // vectorised log10/log run several times faster than a scalar loop; they agree with std::log10
  // to within 1 ulp (tested in tests/audio/test_features.cpp).
  const LogMode log = options_.log;
  if (log == LogMode::db) {
    const float multiplier = (kind_ == FeatureKind::mfcc || options_.power == 2.0) ? 10.0f : 20.0f;
    linear.clamp_min_(1e-10f).log10_().mul_(multiplier);
    if (options_.top_db > 0 && linear.numel() > 0)
      linear.clamp_min_(linear.max().item<float>() - static_cast<float>(options_.top_db));
  } else if (log == LogMode::log) {
    linear.add_(1e-6f).log_();
  }
  if (kind_ != FeatureKind::mfcc) return linear;

  const int64_t n_mels = options_.n_mels, out_rows = n_bins();
  auto result = torch::empty({out_rows, n_frames_total}, torch::kFloat32);
  const float* mel = linear.data_ptr<float>();
  float* dst = result.data_ptr<float>();
  for (int64_t t = 0; t < n_frames_total; ++t) {
    for (int64_t k = 0; k < out_rows; ++k) {
      const float* d = dct_.data() + k * n_mels;
      float acc = 0.0f;
      for (int64_t m = 0; m < n_mels; ++m) acc += d[m] * mel[m * n_frames_total + t];
      dst[k * n_frames_total + t] = acc;
    }
  }
  return result;
}

}  // namespace adapt::audio
