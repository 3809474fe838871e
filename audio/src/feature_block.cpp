#include "feature_block.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>

#include "adapt/common/png_image.h"
#include "adapt/data/input_parts.h"
#include "audio_file.h"
#include "audio_audit.h"
#include "register.h"

namespace adapt::audio {

FeatureKind parse_feature_kind(const std::string& name) {
  if (name == "spectrogram") return FeatureKind::spectrogram;
  if (name == "mel") return FeatureKind::mel;
  if (name == "mfcc") return FeatureKind::mfcc;
  throw OptionError("audio: unknown feature kind '" + name + "' (spectrogram, mel, mfcc)");
}

const char* to_string(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::spectrogram: return "spectrogram";
    case FeatureKind::mel: return "mel";
    case FeatureKind::mfcc: return "mfcc";
  }
  return "?";
}

OptionSchema FeatureBlock::schema(FeatureKind kind) {
  OptionSchema s = {
      OptionSpec("column", OptionType::string, "path", "record column holding the audio file path"),
      OptionSpec("sample_rate", OptionType::integer, 16000, "rate every clip is resampled to (Hz)").min(1000).max(384000),
      OptionSpec("duration", OptionType::number, 1.0,
                 "seconds every clip is cropped or zero-padded to (random placement on train, centred crop "
                 "and end padding otherwise)")
          .greater_than(0).max(600),
      OptionSpec("random_crop", OptionType::boolean, true, "place the crop/padding at random on the training split"),
      OptionSpec("resample_quality", OptionType::string, "medium", "libsamplerate sinc converter")
          .choices({"best", "medium", "fastest"}),
      OptionSpec("n_fft", OptionType::integer, 400, "FFT size (torchaudio's default)").min(2).max(65536),
      OptionSpec("win_length", OptionType::integer, 0, "periodic Hann window length; 0: n_fft").min(0),
      OptionSpec("hop_length", OptionType::integer, 0, "samples between frames; 0: win_length / 2").min(0),
      OptionSpec("power", OptionType::number, 2.0, "2: power spectrum, 1: magnitude").min(1).max(2),
      OptionSpec("center", OptionType::boolean, true, "pad n_fft/2 on both sides so frame t is centred on t*hop"),
      OptionSpec("pad_mode", OptionType::string, "reflect", "padding when centring").choices({"reflect", "constant"}),
      OptionSpec("log", OptionType::string, "db",
                 "db: 10*log10 (power) or 20*log10 (magnitude), amin 1e-10; log: ln(x + 1e-6); none")
          .choices({"db", "log", "none"}),
      OptionSpec("top_db", OptionType::number, 80.0, "dB floor below each image's maximum; 0: none").min(0),
      OptionSpec("normalize", OptionType::string, "global",
                 "global: per-band mean/std learned on train; example: each image to mean 0, std 1; none")
          .choices({"global", "example", "none"}),
      OptionSpec("stats_max_items", OptionType::integer, 5000, "training clips used for the global statistics").min(1),
      OptionSpec("cache_mb", OptionType::integer, 512, "memory for decoded waveforms (0: no cache)").min(0),
      OptionSpec("on_missing", OptionType::string, "error",
                 "a record with an empty path or no such file: error, or mark it missing (silence, and `missing` "
                 "for core.fusion to predict from the other inputs)")
          .choices({"error", "mark"}),
  };
  if (kind != FeatureKind::spectrogram) {
    s.push_back(OptionSpec("n_mels", OptionType::integer, 128, "mel bands").min(1).max(1024));
    s.push_back(OptionSpec("f_min", OptionType::number, 0.0, "lowest mel frequency (Hz)").min(0));
    s.push_back(OptionSpec("f_max", OptionType::number, 0.0, "highest mel frequency (Hz); 0: sample_rate / 2").min(0));
    s.push_back(OptionSpec("mel_scale", OptionType::string, "htk", "mel scale").choices({"htk", "slaney"}));
    s.push_back(OptionSpec("norm", OptionType::string, "none", "slaney: divide each triangle by its width")
                    .choices({"none", "slaney"}));
  }
  if (kind == FeatureKind::mfcc)
    s.push_back(OptionSpec("n_mfcc", OptionType::integer, 40, "cepstral coefficients kept (<= n_mels)").min(1));
  return s;
}

namespace {

FeatureOptions feature_options(FeatureKind kind, const Options& o) {
  FeatureOptions f;
  f.sample_rate = o.integer("sample_rate");
  f.n_fft = o.integer("n_fft");
  f.win_length = o.integer("win_length");
  f.hop_length = o.integer("hop_length");
  f.power = o.number("power");
  f.center = o.boolean("center");
  f.reflect_pad = o.string("pad_mode") == "reflect";
  const std::string log = o.string("log");
  f.log = log == "db" ? LogMode::db : log == "log" ? LogMode::log : LogMode::none;
  f.top_db = o.number("top_db");
  if (kind != FeatureKind::spectrogram) {
    f.n_mels = o.integer("n_mels");
    f.f_min = o.number("f_min");
    f.f_max = o.number("f_max");
    f.mel_scale = o.string("mel_scale") == "htk" ? MelScale::htk : MelScale::slaney;
    f.slaney_norm = o.string("norm") == "slaney";
  }
  if (kind == FeatureKind::mfcc) f.n_mfcc = o.integer("n_mfcc");
  f.check(o.path(), kind);
  return f;
}

}  // namespace

FeatureBlock::FeatureBlock(FeatureKind kind, const Options& options)
    : kind_(kind),
      column_(options.string("column")),
      extractor_(kind, feature_options(kind, options)),
      n_samples_(static_cast<int64_t>(std::llround(options.number("duration") * options.integer("sample_rate")))),
      quality_(parse_resample_quality(options.string("resample_quality"))),
      random_crop_(options.boolean("random_crop")),
      mark_missing_(options.string("on_missing") == "mark"),
      stats_max_items_(options.integer("stats_max_items")),
      cache_bytes_(static_cast<size_t>(options.integer("cache_mb")) << 20) {
  const std::string norm = options.string("normalize");
  normalization_ = norm == "global" ? Normalization::global : norm == "example" ? Normalization::example : Normalization::none;
  if (n_samples_ < 2) throw options.error("duration", "gives fewer than 2 samples at this sample_rate; make it longer");
}

std::shared_ptr<const std::vector<float>> FeatureBlock::load(const std::string& path) const {
  if (cache_bytes_ > 0) {
    std::shared_lock<std::shared_mutex> lock(cache_mutex_);
    auto found = cache_.find(path);
    if (found != cache_.end()) return found->second;
  }
  int64_t rate = 0;
  auto samples = decode_mono(path, rate);
  auto wave = std::make_shared<const std::vector<float>>(resample(samples, rate, sample_rate(), quality_, path));
  if (cache_bytes_ > 0) {
    std::unique_lock<std::shared_mutex> lock(cache_mutex_);
    const size_t bytes = wave->size() * sizeof(float);
    if (cached_bytes_ + bytes <= cache_bytes_ && cache_.emplace(path, wave).second) cached_bytes_ += bytes;
  }
  return wave;
}

bool FeatureBlock::absent(const std::string& path) const {
  if (!mark_missing_) return false;
  std::error_code ec;
  return path.find_first_not_of(" \t") == std::string::npos || !std::filesystem::exists(path, ec);
}

std::vector<float> FeatureBlock::fit_length(const std::vector<float>& wave, Rng* rng) const {
  const int64_t n = static_cast<int64_t>(wave.size()), target = n_samples_;
  std::vector<float> out(static_cast<size_t>(target), 0.0f);
  if (n >= target) {
    const int64_t offset = rng ? rng->integer(0, n - target + 1) : (n - target) / 2;
    std::copy(wave.begin() + offset, wave.begin() + offset + target, out.begin());
  } else {
    const int64_t offset = rng ? rng->integer(0, target - n + 1) : 0;
    std::copy(wave.begin(), wave.end(), out.begin() + offset);
  }
  return out;
}

torch::Tensor FeatureBlock::normalize(torch::Tensor image) const {
  switch (normalization_) {
    case Normalization::none: return image;
    case Normalization::example: {
      auto std = image.std();
      return (image - image.mean()) / std.clamp_min(1e-5);
    }
    case Normalization::global:
      if (!mean_.defined())
        throw Error("audio: " + std::string(to_string(kind_)) +
                    " block used before setup() or load_state(); fit it on the training records first");
      return (image - mean_) / std_;
  }
  return image;
}

torch::Tensor FeatureBlock::image_from_wave(const torch::Tensor& wave) const {
  return normalize(extractor_.compute(wave)).unsqueeze(0);
}

torch::Tensor FeatureBlock::raw_features(const Records& records, size_t row, bool whole_clip) const {
  const std::string& path = records.at(row, column_);
  auto clip = absent(path) ? std::make_shared<const std::vector<float>>() : load(path);
  if (whole_clip) return extractor_.compute(clip->data(), static_cast<int64_t>(clip->size()));
  auto wave = fit_length(*clip, nullptr);
  return extractor_.compute(wave.data(), static_cast<int64_t>(wave.size()));
}

void FeatureBlock::setup(const Records& train) {
  if (normalization_ != Normalization::global) return;
  if (train.empty()) throw Error("audio: cannot learn normalisation statistics from an empty training split");
  const int64_t n_bins = extractor_.n_bins();
  std::vector<double> sum(n_bins, 0.0), sum_sq(n_bins, 0.0);
  double count = 0;
  // An even spread over the training rows when there are more than stats_max_items.
  const size_t n = std::min(train.size(), static_cast<size_t>(stats_max_items_));
  for (size_t i = 0; i < n; ++i) {
    const size_t row = i * train.size() / n;
    if (absent(train.at(row, column_))) continue;  // silence would skew the statistics
    auto f = raw_features(train, row).to(torch::kFloat64);
    auto a = f.accessor<double, 2>();
    for (int64_t b = 0; b < n_bins; ++b)
      for (int64_t t = 0; t < f.size(1); ++t) {
        sum[b] += a[b][t];
        sum_sq[b] += a[b][t] * a[b][t];
      }
    count += static_cast<double>(f.size(1));
  }
  if (count == 0) throw Error("audio: every training record sampled for the normalisation statistics has no audio file");
  mean_ = torch::empty({n_bins, 1}, torch::kFloat32);
  std_ = torch::empty({n_bins, 1}, torch::kFloat32);
  for (int64_t b = 0; b < n_bins; ++b) {
    const double m = sum[b] / count;
    const double var = std::max(0.0, sum_sq[b] / count - m * m);
    mean_[b][0] = static_cast<float>(m);
    std_[b][0] = static_cast<float>(std::max(std::sqrt(var), 1e-3));  // a constant band stays finite
  }
}

TensorDict FeatureBlock::encode(const Records& records, size_t row, const EncodeContext& ctx) const {
  const bool train = ctx.split == Split::train;
  const std::string& path = records.at(row, column_);
  const bool missing = absent(path);
  auto wave = fit_length(missing ? std::vector<float>() : *load(path), train && random_crop_ ? ctx.rng : nullptr);
  return item_of(torch::from_blob(wave.data(), {n_samples_}, torch::kFloat32).clone(), missing, train);
}

TensorDict FeatureBlock::item_of(const torch::Tensor& wave, bool missing, bool train) const {
  TensorDict out;
  out[""] = image_from_wave(wave);
  if (mark_missing_) out["missing"] = torch::tensor(missing);
  if (train && emit_wave_) out["wave"] = wave;
  return out;
}

torch::Tensor FeatureBlock::noise_wave(const std::string& kind, Rng& rng) const {
  if (kind == "silence") return torch::zeros({n_samples_}, torch::kFloat32);
  if (kind == "white noise")
    return at::normal(0.0, kWhiteNoiseStd, {n_samples_}, rng.generator(), torch::TensorOptions(torch::kFloat32));
  throw Error("audio: no noise of kind \"" + kind + "\"; the kinds are \"silence\" and \"white noise\"");
}

std::string FeatureBlock::show(const Records& records, size_t row, const TensorDict& item) const {
  std::string html = show_image(item.at(""));
  std::vector<float> wave;
  if (const auto it = item.find("wave"); it != item.end()) {
    const torch::Tensor w = it->second.to(torch::kFloat32).contiguous();
    wave.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  } else if (const std::string& path = records.at(row, column_); !absent(path)) {
    wave = fit_length(*load(path), nullptr);
  }
  if (!wave.empty())
    html += "<br><audio controls preload=\"none\" src=\"" + data_uri("audio/wav", wav_bytes(wave, sample_rate())) +
            "\"></audio>";
  return html;
}

std::vector<InputPart> FeatureBlock::parts(const Records&, size_t, const TensorDict& item) const {
  constexpr int64_t kBands = 10;
  std::vector<InputPart> parts = silenced_bands(item, "", kBands);
  const double seconds = static_cast<double>(n_samples_) / static_cast<double>(sample_rate());
  const auto n = static_cast<double>(parts.size());
  for (size_t b = 0; b < parts.size(); ++b) {
    char name[48];
    std::snprintf(name, sizeof(name), "%.2f-%.2f s", seconds * static_cast<double>(b) / n,
                  seconds * static_cast<double>(b + 1) / n);
    parts[b].name = name;
  }
  return parts;
}

TensorDict FeatureBlock::noise(const Records&, size_t row, const EncodeContext& encode_ctx, const std::string& kind,
                               const NoiseContext& ctx) const {
  Rng rng = ctx.rng(row);
  return item_of(noise_wave(kind, rng), false, encode_ctx.split == Split::train);
}

json FeatureBlock::dims() const {
  const int64_t bins = extractor_.n_bins(), frames = extractor_.n_frames(n_samples_);
  return json{{"channels", 1},          {"height", bins},           {"width", frames},
              {"n_bins", bins},         {"n_frames", frames},       {"n_samples", n_samples_},
              {"sample_rate", sample_rate()}, {"kind", to_string(kind_)}};
}

json FeatureBlock::state() const {
  json s{{"features", extractor_.options().to_json()}, {"kind", to_string(kind_)}};
  if (normalization_ == Normalization::global && mean_.defined()) {
    auto m = mean_.reshape({-1}).contiguous(), d = std_.reshape({-1}).contiguous();
    s["mean"] = std::vector<float>(m.data_ptr<float>(), m.data_ptr<float>() + m.numel());
    s["std"] = std::vector<float>(d.data_ptr<float>(), d.data_ptr<float>() + d.numel());
  }
  return s;
}

void FeatureBlock::load_state(const json& state) {
  if (state.contains("features") && state["features"] != extractor_.options().to_json())
    throw Error("audio: the saved " + std::string(to_string(kind_)) + " settings " + state["features"].dump() +
                " differ from this block's " + extractor_.options().to_json().dump() +
                "; load the export with the recipe it was trained with");
  if (normalization_ != Normalization::global) return;
  if (!state.contains("mean") || !state.contains("std"))
    throw Error("audio: the saved state has no normalisation statistics (mean, std); re-export the model");
  auto mean = state["mean"].get<std::vector<float>>(), std = state["std"].get<std::vector<float>>();
  const auto bins = static_cast<size_t>(extractor_.n_bins());
  if (mean.size() != bins || std.size() != bins)
    throw Error("audio: saved statistics have " + std::to_string(mean.size()) + " bands, the block has " +
                std::to_string(bins));
  mean_ = torch::tensor(mean).reshape({-1, 1});
  std_ = torch::tensor(std).reshape({-1, 1});
}

std::string FeatureBlock::describe(const Records& records, size_t row) const { return records.at(row, column_); }

json FeatureBlock::audit(const Records& records, const std::vector<size_t>& rows) const {
  return audit_audio(records, column_, rows, double(n_samples_) / double(sample_rate()));
}

void register_blocks(Registry& registry) {
  registry.add_block("audio.spectrogram",
                     "audio file -> (log) spectrogram image [1, n_fft/2+1, frames], torchaudio-equal",
                     FeatureBlock::schema(FeatureKind::spectrogram),
                     [](const Options& o) { return std::make_shared<FeatureBlock>(FeatureKind::spectrogram, o); });
  registry.add_block("audio.mel", "audio file -> (log) mel spectrogram image [1, n_mels, frames], torchaudio-equal",
                     FeatureBlock::schema(FeatureKind::mel),
                     [](const Options& o) { return std::make_shared<FeatureBlock>(FeatureKind::mel, o); });
  registry.add_block("audio.mfcc", "audio file -> MFCC image [1, n_mfcc, frames], torchaudio-equal",
                     FeatureBlock::schema(FeatureKind::mfcc),
                     [](const Options& o) { return std::make_shared<FeatureBlock>(FeatureKind::mfcc, o); });
}

}  // namespace adapt::audio
