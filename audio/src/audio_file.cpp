#include "audio_file.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <sstream>

#include "adapt/common/atomic_file.h"
#include "adapt/common/error.h"

namespace adapt::audio {

namespace {

struct SndFileCloser {
  void operator()(SNDFILE* f) const {
    if (f) sf_close(f);
  }
};
using SndFilePtr = std::unique_ptr<SNDFILE, SndFileCloser>;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw DataError("audio: " + path + ": " + what);
}

}  // namespace

std::vector<float> decode_mono(const std::string& path, int64_t& sample_rate, const DecodeLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail(path, "no such file; check the path (relative paths are resolved against the reader's root)");
  if (std::filesystem::file_size(path, ec) == 0) fail(path, "the file is empty (0 bytes); remove it or re-export it");
  SF_INFO info{};
  SndFilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file)
    fail(path, std::string("cannot decode: ") + sf_strerror(nullptr) +
                   "; it is not audio in a format libsndfile reads (WAV, FLAC, OGG, AIFF, ...), or it is corrupt");
  if (info.channels < 1 || info.channels > limits.max_channels)
    fail(path, "has " + std::to_string(info.channels) + " channels; expected 1 to " +
                   std::to_string(limits.max_channels) + " (the header is probably corrupt)");
  if (info.samplerate < limits.min_sample_rate || info.samplerate > limits.max_sample_rate)
    fail(path, "sample rate " + std::to_string(info.samplerate) + " Hz is outside [" +
                   std::to_string(limits.min_sample_rate) + ", " + std::to_string(limits.max_sample_rate) +
                   "] Hz; the header is probably corrupt");
  if (info.frames <= 0) fail(path, "holds no audio frames (zero-length recording); remove it from the dataset");
  // Integers are scaled to [-1, 1); float files are read as stored (checked for NaN/Inf below).
  sf_command(file.get(), SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
  const int64_t channels = info.channels;
  std::vector<float> interleaved(static_cast<size_t>(info.frames * channels));
  const sf_count_t read = sf_readf_float(file.get(), interleaved.data(), info.frames);
  if (sf_error(file.get()) != SF_ERR_NO_ERROR)
    fail(path, std::string("decoding failed after ") + std::to_string(read) + " frames: " + sf_strerror(file.get()) +
                   "; the file is corrupt");
  if (read < info.frames)
    fail(path, "truncated: the header announces " + std::to_string(info.frames) + " frames but only " +
                   std::to_string(read) + " could be read; re-export or remove the file");
  // libsndfile shortens a data chunk that runs past the end of the file and only says so in its log,
  // e.g. "data : 16000 (should be 100)" (WAV) or "SSND : ... (should be ...)" (AIFF).
  char log[4096] = {0};
  sf_command(file.get(), SFC_GET_LOG_INFO, log, sizeof(log));
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const bool data_chunk = line.rfind("data :", 0) == 0 || line.rfind("SSND :", 0) == 0;
    if (data_chunk && line.find("should be") != std::string::npos)
      fail(path, "truncated: the data chunk is shorter than its header says (libsndfile: \"" + line +
                     "\"); re-export or remove the file");
  }

  std::vector<float> mono(static_cast<size_t>(read));
  for (int64_t i = 0; i < read; ++i) {
    double sum = 0.0;
    for (int64_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
    const float v = static_cast<float>(sum / channels);
    if (!std::isfinite(v))
      fail(path, "sample " + std::to_string(i) + " (" + std::to_string(i / static_cast<double>(info.samplerate)) +
                     " s) is " + (std::isnan(v) ? "NaN" : "infinite") +
                     "; the file holds invalid float samples, fix or remove it");
    mono[i] = v;
  }
  sample_rate = info.samplerate;
  return mono;
}

ResampleQuality parse_resample_quality(const std::string& name) {
  if (name == "best") return ResampleQuality::best;
  if (name == "medium") return ResampleQuality::medium;
  if (name == "fastest") return ResampleQuality::fastest;
  throw OptionError("audio: resample quality must be best, medium or fastest, got '" + name + "'");
}

std::vector<float> resample(const std::vector<float>& samples, int64_t from_rate, int64_t to_rate,
                            ResampleQuality quality, const std::string& path) {
  if (from_rate == to_rate) return samples;
  return resample_by(samples, static_cast<double>(to_rate) / static_cast<double>(from_rate), quality, path);
}

std::vector<float> resample_by(const std::vector<float>& samples, double ratio, ResampleQuality quality,
                               const std::string& path) {
  if (ratio == 1.0 || samples.empty()) return samples;
  std::vector<float> out(static_cast<size_t>(std::ceil(samples.size() * ratio)) + 16);
  SRC_DATA data{};
  data.data_in = samples.data();
  data.input_frames = static_cast<long>(samples.size());
  data.data_out = out.data();
  data.output_frames = static_cast<long>(out.size());
  data.src_ratio = ratio;
  data.end_of_input = 1;
  const int converter = quality == ResampleQuality::best     ? SRC_SINC_BEST_QUALITY
                        : quality == ResampleQuality::medium ? SRC_SINC_MEDIUM_QUALITY
                                                             : SRC_SINC_FASTEST;
  if (int err = src_simple(&data, converter, 1))
    fail(path, "resampling by a ratio of " + std::to_string(ratio) + " failed: " + src_strerror(err));
  out.resize(static_cast<size_t>(data.output_frames_gen));
  return out;
}

void write_wav(const std::filesystem::path& path, const std::vector<float>& samples, int64_t sample_rate) {
  write_atomically(path, [&](const std::filesystem::path& temp) {
    SF_INFO info{};
    info.samplerate = static_cast<int>(sample_rate);
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SndFilePtr file(sf_open(temp.c_str(), SFM_WRITE, &info));
    if (!file) throw Error("audio: cannot write " + path.string() + ": " + sf_strerror(nullptr));
    // Clip instead of wrapping around when a float sample exceeds [-1, 1].
    sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    const sf_count_t written = sf_writef_float(file.get(), samples.data(), static_cast<sf_count_t>(samples.size()));
    if (written != static_cast<sf_count_t>(samples.size()))
      throw Error("audio: writing " + path.string() + " failed: " + sf_strerror(file.get()));
  });
}

const std::vector<std::string>& readable_extensions() {
  static const std::vector<std::string> extensions = [] {
    std::set<std::string> found;
    int count = 0;
    sf_command(nullptr, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof(int));
    for (int i = 0; i < count; ++i) {
      SF_FORMAT_INFO format{};
      format.format = i;
      if (sf_command(nullptr, SFC_GET_FORMAT_MAJOR, &format, sizeof(format)) == 0 && format.extension)
        found.insert(format.extension);
    }
    // Common spellings libsndfile reads but does not list as a major format's extension.
    for (const char* extra : {"wav", "flac", "ogg", "oga", "opus", "aif", "aiff", "au", "snd", "caf", "w64"})
      found.insert(extra);
    return std::vector<std::string>(found.begin(), found.end());
  }();
  return extensions;
}

}  // namespace adapt::audio
