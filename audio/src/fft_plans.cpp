#include "fft_plans.h"

#include <map>
#include <mutex>
#include <utility>

namespace adapt::audio {

namespace {

std::mutex& planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

// Plans live for the life of the process (plugins are never unloaded).
std::map<std::pair<int64_t, int64_t>, fftwf_plan>& plans() {
  static auto* cache = new std::map<std::pair<int64_t, int64_t>, fftwf_plan>();
  return *cache;
}

struct ThreadBuffers {
  FftBuffers buffers;
  int64_t real_size = 0, complex_size = 0;
  ~ThreadBuffers() {
    if (buffers.real) fftwf_free(buffers.real);
    if (buffers.complex) fftwf_free(buffers.complex);
  }
};

fftwf_plan shared_r2c_plan(int64_t n_fft, int64_t frames);

}  // namespace

fftwf_plan r2c_plan(int64_t n_fft, int64_t frames) {
  // A per-thread copy of the lookup keeps loader workers off the mutex after their first clip.
  thread_local std::map<std::pair<int64_t, int64_t>, fftwf_plan> local;
  auto hit = local.find({n_fft, frames});
  if (hit != local.end()) return hit->second;
  fftwf_plan plan = shared_r2c_plan(n_fft, frames);
  local.emplace(std::make_pair(n_fft, frames), plan);
  return plan;
}

namespace {
fftwf_plan shared_r2c_plan(int64_t n_fft, int64_t frames) {
  std::lock_guard<std::mutex> lock(planner_mutex());
  auto key = std::make_pair(n_fft, frames);
  auto found = plans().find(key);
  if (found != plans().end()) return found->second;
  const int64_t n_out = n_fft / 2 + 1;
  // Planned on fftwf_malloc'd arrays: the per-thread buffers have the same (SIMD) alignment, which
  // new-array execution requires.
  float* in = fftwf_alloc_real(static_cast<size_t>(n_fft * frames));
  fftwf_complex* out = fftwf_alloc_complex(static_cast<size_t>(n_out * frames));
  int n = static_cast<int>(n_fft);
  fftwf_plan plan = fftwf_plan_many_dft_r2c(1, &n, static_cast<int>(frames), in, nullptr, 1, static_cast<int>(n_fft),
                                            out, nullptr, 1, static_cast<int>(n_out), FFTW_ESTIMATE);
  fftwf_free(in);
  fftwf_free(out);
  plans().emplace(key, plan);
  return plan;
}
}  // namespace

FftBuffers& fft_buffers(int64_t n_fft, int64_t frames) {
  thread_local ThreadBuffers local;
  const int64_t real_size = n_fft * frames, complex_size = (n_fft / 2 + 1) * frames;
  if (real_size > local.real_size) {
    if (local.buffers.real) fftwf_free(local.buffers.real);
    local.buffers.real = fftwf_alloc_real(static_cast<size_t>(real_size));
    local.real_size = real_size;
  }
  if (complex_size > local.complex_size) {
    if (local.buffers.complex) fftwf_free(local.buffers.complex);
    local.buffers.complex = fftwf_alloc_complex(static_cast<size_t>(complex_size));
    local.complex_size = complex_size;
  }
  return local.buffers;
}

}  // namespace adapt::audio
