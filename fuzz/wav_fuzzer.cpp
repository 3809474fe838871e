// The audio plugin's decoding path (audio/src/audio_file.h): any bytes, decoded from memory as a file
// of any format libsndfile reads, give finite mono samples at a sane rate, or a DataError.
#include <cmath>

#include "audio_file.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  adapt::fuzz::refuse_cleanly([&] {
    int64_t rate = 0;
    const adapt::audio::DecodeLimits limits;
    const auto samples = adapt::audio::decode_mono_bytes(bytes, "fuzz.wav", rate, limits);
    adapt::fuzz::check(!samples.empty(), "audio has samples");
    adapt::fuzz::check(rate >= limits.min_sample_rate && rate <= limits.max_sample_rate, "the rate is in bounds");
    for (float x : samples) adapt::fuzz::check(std::isfinite(x), "samples are finite");
  });
  return 0;
}
