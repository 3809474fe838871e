#include "demo.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "audio_file.h"
#include "register.h"

namespace fs = std::filesystem;

namespace adapt::audio {

namespace {

constexpr int64_t kRate = 8000;
constexpr double kPi = 3.14159265358979323846;

// Raw 64-bit draws turned into numbers by hand: the same bytes on every platform for a seed.
struct Draw {
  std::mt19937_64 engine;
  explicit Draw(uint64_t seed) : engine(seed) {}
  double uniform(double lo = 0.0, double hi = 1.0) {
    return lo + (hi - lo) * (static_cast<double>(engine() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }
  double normal() { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * kPi * uniform()); }
  int64_t integer(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(engine() % static_cast<uint64_t>(hi - lo + 1)); }
};

// Two-pole resonator (a formant or band-pass filter) at `freq` Hz with bandwidth `bw` Hz.
std::vector<double> resonate(const std::vector<double>& x, double freq, double bw) {
  const double r = std::exp(-kPi * bw / kRate), theta = 2.0 * kPi * freq / kRate;
  const double a1 = 2.0 * r * std::cos(theta), a2 = -r * r, gain = 1.0 - r;
  std::vector<double> y(x.size(), 0.0);
  for (size_t n = 0; n < x.size(); ++n)
    y[n] = gain * x[n] + a1 * (n >= 1 ? y[n - 1] : 0.0) + a2 * (n >= 2 ? y[n - 2] : 0.0);
  return y;
}

// Attack/release envelope so clips do not start or stop with a click.
double envelope(size_t n, size_t length) {
  const double ramp = 0.02 * kRate;
  return std::min({1.0, n / ramp, (length - n) / ramp});
}

std::vector<double> tone(Draw& d, size_t length) {
  const double f0 = d.uniform(250.0, 1200.0);
  const double a2 = d.uniform(0.0, 0.5), a3 = d.uniform(0.0, 0.3);
  std::vector<double> x(length);
  for (size_t n = 0; n < length; ++n) {
    const double t = static_cast<double>(n) / kRate;
    x[n] = std::sin(2 * kPi * f0 * t) + a2 * std::sin(4 * kPi * f0 * t) + a3 * std::sin(6 * kPi * f0 * t);
  }
  return x;
}

std::vector<double> chirp(Draw& d, size_t length) {
  double f_start = d.uniform(300.0, 3500.0), f_end = d.uniform(300.0, 3500.0);
  if (std::abs(f_end - f_start) < 1000.0) f_end = f_start > 1900.0 ? f_start - 1200.0 : f_start + 1200.0;
  std::vector<double> x(length);
  double phase = 0.0;
  for (size_t n = 0; n < length; ++n) {
    const double f = f_start + (f_end - f_start) * static_cast<double>(n) / static_cast<double>(length);
    phase += 2 * kPi * f / kRate;
    x[n] = std::sin(phase);
  }
  return x;
}

std::vector<double> noise_bursts(Draw& d, size_t length) {
  std::vector<double> white(length);
  for (auto& v : white) v = d.normal();
  auto x = resonate(white, d.uniform(500.0, 3000.0), d.uniform(300.0, 1200.0));
  // 1 to 3 bursts of 60-200 ms; silence (background noise only) between them.
  std::vector<double> gate(length, 0.0);
  const int64_t bursts = d.integer(1, 3);
  for (int64_t b = 0; b < bursts; ++b) {
    const auto width = static_cast<size_t>(d.uniform(0.06, 0.2) * kRate);
    const auto start = static_cast<size_t>(d.uniform(0.0, 1.0) * static_cast<double>(length > width ? length - width : 0));
    for (size_t n = start; n < std::min(length, start + width); ++n) gate[n] = envelope(n - start, width);
  }
  for (size_t n = 0; n < length; ++n) x[n] *= gate[n];
  return x;
}

std::vector<double> vowel(Draw& d, size_t length) {
  // Glottal pulse train with slight vibrato through three formant resonators.
  const double f0 = d.uniform(90.0, 220.0), vibrato = d.uniform(0.0, 0.03);
  std::vector<double> source(length, 0.0);
  double phase = 0.0;
  for (size_t n = 0; n < length; ++n) {
    const double t = static_cast<double>(n) / kRate;
    phase += f0 * (1.0 + vibrato * std::sin(2 * kPi * 5.0 * t)) / kRate;
    if (phase >= 1.0) {
      phase -= 1.0;
      source[n] = 1.0;
    }
  }
  const double f1 = d.uniform(300.0, 850.0), f2 = d.uniform(900.0, 2300.0), f3 = d.uniform(2400.0, 3300.0);
  auto a = resonate(source, f1, 80.0), b = resonate(source, f2, 100.0), c = resonate(source, f3, 150.0);
  std::vector<double> x(length);
  for (size_t n = 0; n < length; ++n) x[n] = a[n] + 0.6 * b[n] + 0.3 * c[n];
  return x;
}

std::vector<float> synthesize(const std::string& cls, Draw& d) {
  const auto length = static_cast<size_t>(d.uniform(0.35, 1.0) * kRate);
  std::vector<double> x = cls == "tone" ? tone(d, length)
                          : cls == "chirp" ? chirp(d, length)
                          : cls == "noise_burst" ? noise_bursts(d, length)
                                                 : vowel(d, length);
  double peak = 1e-12;
  for (size_t n = 0; n < length; ++n) {
    if (cls != "noise_burst") x[n] *= envelope(n, length);
    peak = std::max(peak, std::abs(x[n]));
  }
  const double level = d.uniform(0.2, 0.8) / peak;
  const double noise = d.uniform(0.002, 0.03);  // background noise, about 20 to 45 dB below the signal
  std::vector<float> out(length);
  for (size_t n = 0; n < length; ++n) out[n] = static_cast<float>(x[n] * level + noise * d.normal());
  return out;
}

}  // namespace

OptionSchema AudioDemo::schema() {
  return {OptionSpec("n_per_class", OptionType::integer, 60, "synthetic clips per class").min(8).max(5000),
          OptionSpec("epochs", OptionType::integer, 8, "training epochs").min(1).max(200)};
}

AudioDemo::AudioDemo(const Options& options)
    : n_per_class_(options.integer("n_per_class")), epochs_(options.integer("epochs")) {}

const std::vector<std::string>& AudioDemo::classes() {
  static const std::vector<std::string> names = {"chirp", "noise_burst", "tone", "vowel"};
  return names;
}

std::string AudioDemo::description() const {
  return "synthetic sounds (tones, chirps, noise bursts, vowel-like formants) as WAV files; a mel-spectrogram CNN "
         "vs logistic regression on band statistics";
}

void AudioDemo::generate(const fs::path& dir, uint64_t seed) const {
  for (size_t c = 0; c < classes().size(); ++c) {
    const std::string& cls = classes()[c];
    fs::create_directories(dir / "train" / cls);
    // One stream per class: adding clips to one class leaves the others' bytes unchanged.
    Draw d(seed * 1000003ULL + c);
    for (int64_t i = 0; i < n_per_class_; ++i) {
      char name[64];
      std::snprintf(name, sizeof(name), "%s_%04lld.wav", cls.c_str(), static_cast<long long>(i));
      write_wav(dir / "train" / cls / name, synthesize(cls, d), kRate);
    }
    fs::create_directories(dir / "predict");
    write_wav(dir / "predict" / (cls + ".wav"), synthesize(cls, d), kRate);
  }
}

json AudioDemo::recipe(const fs::path& data_dir) const {
  return {
      {"seed", 42},
      {"reader", {{"name", "audio.folder"}, {"root", (data_dir / "train").string()}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
      {"inputs", json::array({{{"name", "audio.mel"},
                               {"sample_rate", kRate},
                               {"duration", 1.0},
                               {"n_fft", 256},
                               {"hop_length", 80},
                               {"n_mels", 64}}})},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"transforms", json::array({{{"name", "audio.gain"}}, {{"name", "audio.spec_augment"}}})},
      {"loader", {{"batch_size", 32}, {"prefetch", 16}}},
      {"model", {{"name", "audio.cnn"}, {"channels", {16, 32, 64}}}},
      {"metrics", json::array({"core.accuracy", {{"name", "core.f1"}, {"average", "macro"}}})},
      {"train", {{"schedule", "one_cycle"}, {"epochs", epochs_}, {"lr", 1e-2}}},
      {"baselines", json::array({{{"name", "audio.band_stats"}}})},
  };
}

std::vector<std::string> AudioDemo::predict_inputs(const fs::path& data_dir) const {
  std::vector<std::string> inputs;
  for (const auto& cls : classes()) inputs.push_back((data_dir / "predict" / (cls + ".wav")).string());
  return inputs;
}

void register_demo(Registry& registry) {
  registry.add_demo("audio.demo", "synthetic tones, chirps, noise bursts and vowels as WAV files; CNN vs baseline",
                    AudioDemo::schema(), [](const Options& o) { return std::make_shared<AudioDemo>(o); });
}

}  // namespace adapt::audio
