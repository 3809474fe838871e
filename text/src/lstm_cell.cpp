#include "lstm_cell.h"

#include <algorithm>
#include <cstring>

// Every helper is inlined into the two compilations below, so each gets its own instruction set.
#define ADAPT_INLINE __attribute__((always_inline)) inline

namespace adapt::text {
namespace {

// exp by Cody-Waite range reduction and Cephes' degree-6 polynomial (relative error about 1e-7),
// in plain float arithmetic so that the loops calling it vectorise. NaN stays NaN.
ADAPT_INLINE float exp_approx(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);  // a NaN compares false and passes through
  const float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;  // round(x / ln 2)
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;  // 2^n
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}
ADAPT_INLINE float sigmoid(float x) { return 1.0f / (1.0f + exp_approx(-x)); }
ADAPT_INLINE float tanh_approx(float x) { return 2.0f / (1.0f + exp_approx(-2.0f * x)) - 1.0f; }

// out [n] += v [k] . m [k,n], in blocks of 32 outputs kept in registers across k.
ADAPT_INLINE void vec_mat_add(const float* __restrict v, int64_t k_size, const float* __restrict m, int64_t n,
                              float* __restrict out) {
  int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    float acc[32];
    for (int q = 0; q < 32; ++q) acc[q] = out[j + q];
    for (int64_t k = 0; k < k_size; ++k) {
      const float a = v[k];
      const float* w = m + k * n + j;
      for (int q = 0; q < 32; ++q) acc[q] += a * w[q];
    }
    for (int q = 0; q < 32; ++q) out[j + q] = acc[q];
  }
  for (int64_t k = 0; k < k_size; ++k)
    for (int64_t q = j; q < n; ++q) out[q] += v[k] * m[k * n + q];
}

// The gates of one step; `first` drops the zero previous state from the loop.
template <bool first>
ADAPT_INLINE void gates_forward(int64_t hidden, const float* __restrict c_prev, float* __restrict g,
                                float* __restrict c, float* __restrict h) {
  for (int64_t j = 0; j < hidden; ++j) {
    const float in = sigmoid(g[j]), forget = sigmoid(g[hidden + j]);
    const float cell = tanh_approx(g[2 * hidden + j]), out = sigmoid(g[3 * hidden + j]);
    g[j] = in;
    g[hidden + j] = forget;
    g[2 * hidden + j] = cell;
    g[3 * hidden + j] = out;
    c[j] = (first ? 0.0f : forget * c_prev[j]) + in * cell;
    h[j] = out * tanh_approx(c[j]);
  }
}

// The chain rule through one step's gates; tanh(c) is recomputed as the forward computed it.
template <bool first>
ADAPT_INLINE void gates_backward(int64_t hidden, const float* __restrict a, const float* __restrict c_prev,
                                 const float* __restrict c, const float* __restrict dh, float* __restrict dc,
                                 float* __restrict dg) {
  for (int64_t j = 0; j < hidden; ++j) {
    const float in = a[j], forget = a[hidden + j], cell = a[2 * hidden + j], out = a[3 * hidden + j];
    const float tc = tanh_approx(c[j]);
    const float dcj = dc[j] + dh[j] * out * (1.0f - tc * tc);
    dg[j] = dcj * cell * in * (1.0f - in);
    dg[hidden + j] = first ? 0.0f : dcj * c_prev[j] * forget * (1.0f - forget);
    dg[2 * hidden + j] = dcj * in * (1.0f - cell * cell);
    dg[3 * hidden + j] = dh[j] * tc * out * (1.0f - out);
    dc[j] = dcj * forget;
  }
}

ADAPT_INLINE void forward_body(const float* w_hh_t, int64_t hidden, const float* h_prev, const float* c_prev, float* g,
                               float* c, float* h) {
  if (h_prev == nullptr) return gates_forward<true>(hidden, nullptr, g, c, h);
  vec_mat_add(h_prev, hidden, w_hh_t, 4 * hidden, g);
  gates_forward<false>(hidden, c_prev, g, c, h);
}

ADAPT_INLINE void backward_body(const float* w_hh, int64_t hidden, const float* a, const float* c_prev,
                                const float* c, const float* dh, float* dc, float* dg, float* dh_prev) {
  if (c_prev == nullptr)
    gates_backward<true>(hidden, a, nullptr, c, dh, dc, dg);
  else
    gates_backward<false>(hidden, a, c_prev, c, dh, dc, dg);
  if (dh_prev != nullptr) vec_mat_add(dg, 4 * hidden, w_hh, hidden, dh_prev);
}

void forward_baseline(const float* w, int64_t hidden, const float* h_prev, const float* c_prev, float* g, float* c,
                      float* h) {
  forward_body(w, hidden, h_prev, c_prev, g, c, h);
}
void backward_baseline(const float* w, int64_t hidden, const float* a, const float* c_prev, const float* c,
                       const float* dh, float* dc, float* dg, float* dh_prev) {
  backward_body(w, hidden, a, c_prev, c, dh, dc, dg, dh_prev);
}
const LstmCellKernels baseline{forward_baseline, backward_baseline};

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void forward_avx2(const float* w, int64_t hidden, const float* h_prev,
                                                      const float* c_prev, float* g, float* c, float* h) {
  forward_body(w, hidden, h_prev, c_prev, g, c, h);
}
__attribute__((target("avx2,fma"))) void backward_avx2(const float* w, int64_t hidden, const float* a,
                                                       const float* c_prev, const float* c, const float* dh,
                                                       float* dc, float* dg, float* dh_prev) {
  backward_body(w, hidden, a, c_prev, c, dh, dc, dg, dh_prev);
}
const LstmCellKernels avx2{forward_avx2, backward_avx2};

const LstmCellKernels& pick_best() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? avx2 : baseline;
}
#else
const LstmCellKernels& pick_best() { return baseline; }
#endif

}  // namespace

const LstmCellKernels& lstm_cell_kernels(LstmKernel kernel) {
  static const LstmCellKernels& best = pick_best();
  return kernel == LstmKernel::portable ? baseline : best;
}

}  // namespace adapt::text
