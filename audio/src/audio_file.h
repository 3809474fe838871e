#pragma once
// Decoding (every format libsndfile reads: WAV, FLAC, OGG/Vorbis, AIFF, ...), mono mixdown,
// resampling with libsamplerate, and writing 16-bit WAV. Every failure is an adapt::DataError that
// names the file, what is wrong with it and what to do.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace adapt::audio {

struct DecodeLimits {
  int64_t max_channels = 64;
  int64_t min_sample_rate = 1000;    // below: not an audio file we can learn from
  int64_t max_sample_rate = 768000;  // above: a corrupt header rather than real audio
};

// Decodes `path`, mixes channels down to mono (their mean) and checks every sample is finite.
// Returns the mono samples; `sample_rate` receives the file's rate.
std::vector<float> decode_mono(const std::string& path, int64_t& sample_rate, const DecodeLimits& limits = {});
// The same for a file's bytes in memory; `name` names them in errors.
std::vector<float> decode_mono_bytes(const std::string& bytes, const std::string& name, int64_t& sample_rate,
                                     const DecodeLimits& limits = {});

enum class ResampleQuality { best, medium, fastest };  // libsamplerate's sinc converters
ResampleQuality parse_resample_quality(const std::string& name);  // "best" | "medium" | "fastest"

// Band-limited resampling (libsamplerate); returns `samples` unchanged when the rates are equal.
// `path` only names the source in errors.
std::vector<float> resample(const std::vector<float>& samples, int64_t from_rate, int64_t to_rate,
                            ResampleQuality quality, const std::string& path);
// The same by any ratio (output rate / input rate, e.g. 1/1.1 plays a clip 10% faster).
std::vector<float> resample_by(const std::vector<float>& samples, double ratio, ResampleQuality quality,
                               const std::string& path);

// Writes mono 16-bit PCM WAV atomically (temporary file + rename).
// 16-bit PCM mono WAV bytes, samples clipped to [-1, 1] (a page's embedded player, write_wav).
std::string wav_bytes(const std::vector<float>& samples, int64_t sample_rate);
void write_wav(const std::filesystem::path& path, const std::vector<float>& samples, int64_t sample_rate);

// Lower-case extensions (without the dot) of every major format libsndfile was built with.
const std::vector<std::string>& readable_extensions();

}  // namespace adapt::audio
