#pragma once
// FFTW plans and work buffers for real-to-complex transforms of frames.
// Plans are made once per (n_fft, frames) under a mutex (FFTW's planner is not thread-safe) with
// FFTW_ESTIMATE, so the same plan, and the same numbers, come out on every run; executing a plan on
// new arrays (fftwf_execute_dft_r2c) is thread-safe, and each thread has its own aligned buffers.
#include <fftw3.h>

#include <cstdint>

namespace adapt::audio {

// A batched plan: `frames` transforms of n_fft reals, contiguous, into frames x (n_fft/2+1) complex.
fftwf_plan r2c_plan(int64_t n_fft, int64_t frames);

struct FftBuffers {
  float* real = nullptr;              // frames x n_fft, SIMD aligned (fftwf_malloc)
  fftwf_complex* complex = nullptr;   // frames x (n_fft/2+1)
};
// This thread's buffers, large enough for (n_fft, frames); valid until the next call on this thread.
FftBuffers& fft_buffers(int64_t n_fft, int64_t frames);

}  // namespace adapt::audio
