#include "audio_file.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
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

// libsndfile reading from bytes in memory (sf_open_virtual).
struct MemoryFile {
  const std::string& bytes;
  sf_count_t position = 0;
};

SF_VIRTUAL_IO memory_io() {
  SF_VIRTUAL_IO io{};
  io.get_filelen = [](void* user) { return static_cast<sf_count_t>(static_cast<MemoryFile*>(user)->bytes.size()); };
  io.seek = [](sf_count_t offset, int whence, void* user) {
    auto* m = static_cast<MemoryFile*>(user);
    const sf_count_t size = static_cast<sf_count_t>(m->bytes.size());
    const sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->position : size;
    // Clamped to the bytes without computing base + offset, which a corrupt header can overflow.
    m->position = offset < -base ? 0 : offset > size - base ? size : base + offset;
    return m->position;
  };
  io.read = [](void* out, sf_count_t count, void* user) {
    auto* m = static_cast<MemoryFile*>(user);
    const sf_count_t n = std::clamp<sf_count_t>(count, 0, static_cast<sf_count_t>(m->bytes.size()) - m->position);
    std::memcpy(out, m->bytes.data() + m->position, static_cast<size_t>(n));
    m->position += n;
    return n;
  };
  io.write = [](const void*, sf_count_t, void*) { return sf_count_t{0}; };
  io.tell = [](void* user) { return static_cast<MemoryFile*>(user)->position; };
  return io;
}

SndFilePtr opened(SNDFILE* file, const std::string& path) {
  if (!file)
    fail(path, std::string("cannot decode: ") + sf_strerror(nullptr) +
                   "; it is not audio in a format libsndfile reads (WAV, FLAC, OGG, AIFF, ...), or it is corrupt");
  return SndFilePtr(file);
}

void check_header(const SF_INFO& info, const std::string& path, const DecodeLimits& limits) {
  if (info.channels < 1 || info.channels > limits.max_channels)
    fail(path, "has " + std::to_string(info.channels) + " channels; expected 1 to " +
                   std::to_string(limits.max_channels) + " (the header is probably corrupt)");
  if (info.samplerate < limits.min_sample_rate || info.samplerate > limits.max_sample_rate)
    fail(path, "sample rate " + std::to_string(info.samplerate) + " Hz is outside [" +
                   std::to_string(limits.min_sample_rate) + ", " + std::to_string(limits.max_sample_rate) +
                   "] Hz; the header is probably corrupt");
  if (info.frames <= 0) fail(path, "holds no audio frames (zero-length recording); remove it from the dataset");
}

// The channels' mean, read a block at a time: one buffer of the header's frame count would let a
// corrupt header (a 100-byte FLAC announcing 2^36 frames) allocate more than the machine has.
std::vector<float> read_mono(SNDFILE* file, const SF_INFO& info) {
  constexpr sf_count_t kBlockFrames = 4096;
  const int64_t channels = info.channels;
  std::vector<float> block(static_cast<size_t>(kBlockFrames * channels)), mono;
  for (sf_count_t left = info.frames; left > 0;) {
    const sf_count_t n = sf_readf_float(file, block.data(), std::min(kBlockFrames, left));
    if (n <= 0) break;  // the end of the data, or an error check_complete reports
    for (sf_count_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (int64_t c = 0; c < channels; ++c) sum += block[static_cast<size_t>(i * channels + c)];
      mono.push_back(static_cast<float>(sum / channels));
    }
    left -= n;
  }
  return mono;
}

void check_complete(SNDFILE* file, const SF_INFO& info, sf_count_t read, const std::string& path) {
  if (sf_error(file) != SF_ERR_NO_ERROR)
    fail(path, std::string("decoding failed after ") + std::to_string(read) + " frames: " + sf_strerror(file) +
                   "; the file is corrupt");
  if (read < info.frames)
    fail(path, "truncated: the header announces " + std::to_string(info.frames) + " frames but only " +
                   std::to_string(read) + " could be read; re-export or remove the file");
  // libsndfile shortens a data chunk that runs past the end of the file and only says so in its log,
  // e.g. "data : 16000 (should be 100)" (WAV) or "SSND : ... (should be ...)" (AIFF).
  char log[4096] = {0};
  sf_command(file, SFC_GET_LOG_INFO, log, sizeof(log));
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const bool data_chunk = line.rfind("data :", 0) == 0 || line.rfind("SSND :", 0) == 0;
    if (data_chunk && line.find("should be") != std::string::npos)
      fail(path, "truncated: the data chunk is shorter than its header says (libsndfile: \"" + line +
                     "\"); re-export or remove the file");
  }
}

// Everything after opening: the header's limits, the samples, truncation, finite values.
std::vector<float> decode_opened(SNDFILE* file, const SF_INFO& info, const std::string& path, int64_t& sample_rate,
                                 const DecodeLimits& limits) {
  check_header(info, path, limits);
  // Integers are scaled to [-1, 1); float files are read as stored (checked for NaN/Inf below).
  sf_command(file, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
  std::vector<float> mono = read_mono(file, info);
  check_complete(file, info, static_cast<sf_count_t>(mono.size()), path);
  for (size_t i = 0; i < mono.size(); ++i) {
    if (!std::isfinite(mono[i]))
      fail(path, "sample " + std::to_string(i) + " (" + std::to_string(i / static_cast<double>(info.samplerate)) +
                     " s) is " + (std::isnan(mono[i]) ? "NaN" : "infinite") +
                     "; the file holds invalid float samples, fix or remove it");
  }
  sample_rate = info.samplerate;
  return mono;
}

}  // namespace

std::vector<float> decode_mono(const std::string& path, int64_t& sample_rate, const DecodeLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail(path, "no such file; check the path (relative paths are resolved against the reader's root)");
  if (std::filesystem::file_size(path, ec) == 0) fail(path, "the file is empty (0 bytes); remove it or re-export it");
  SF_INFO info{};
  SndFilePtr file = opened(sf_open(path.c_str(), SFM_READ, &info), path);
  return decode_opened(file.get(), info, path, sample_rate, limits);
}

std::vector<float> decode_mono_bytes(const std::string& bytes, const std::string& name, int64_t& sample_rate,
                                     const DecodeLimits& limits) {
  if (bytes.empty()) fail(name, "the file is empty (0 bytes); remove it or re-export it");
  MemoryFile memory{bytes};
  SF_VIRTUAL_IO io = memory_io();
  SF_INFO info{};
  SndFilePtr file = opened(sf_open_virtual(&io, SFM_READ, &info, &memory), name);
  return decode_opened(file.get(), info, name, sample_rate, limits);
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

std::string wav_bytes(const std::vector<float>& samples, int64_t sample_rate) {
  std::string out;
  const auto put = [&out](uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  };
  const auto data_bytes = static_cast<uint32_t>(samples.size() * 2);
  out += "RIFF";
  put(36 + data_bytes, 4);
  out += "WAVEfmt ";
  put(16, 4);                                        // fmt chunk size
  put(1, 2);                                         // PCM
  put(1, 2);                                         // mono
  put(static_cast<uint32_t>(sample_rate), 4);
  put(static_cast<uint32_t>(sample_rate * 2), 4);    // bytes per second
  put(2, 2);                                         // bytes per frame
  put(16, 2);                                        // bits per sample
  out += "data";
  put(data_bytes, 4);
  for (float s : samples) {  // scaled and clipped as libsndfile does, so its reader gives the samples back
    const double scaled = std::isfinite(s) ? static_cast<double>(s) * 32768.0 : 0.0;
    const long q = scaled >= 32767.0 ? 32767 : scaled <= -32768.0 ? -32768 : std::lrint(scaled);
    put(static_cast<uint16_t>(static_cast<int16_t>(q)), 2);
  }
  return out;
}

void write_wav(const std::filesystem::path& path, const std::vector<float>& samples, int64_t sample_rate) {
  write_text_atomically(path, wav_bytes(samples, sample_rate));
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
