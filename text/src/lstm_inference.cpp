#include "lstm_inference.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace adapt::text {
namespace {

// exp by Cody-Waite range reduction and Cephes' degree-6 polynomial (relative error about 1e-7),
// in plain float arithmetic so that the loops calling it vectorise. NaN stays NaN.
inline float exp_approx(float x) {
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
inline float sigmoid(float x) { return 1.0f / (1.0f + exp_approx(-x)); }
inline float tanh_approx(float x) { return 2.0f / (1.0f + exp_approx(-2.0f * x)) - 1.0f; }

// One row at one step. `g` (4H, gates i, f, g, o) holds the input projection and both biases; the
// recurrent term h_prev . w_hh^T is added in blocks of 32 gates kept in registers. h_prev is null
// where the row's state is zero.
__attribute__((always_inline)) inline void cell_step_body(const float* __restrict w_hh_t, int64_t hidden,
                                                          const float* __restrict h_prev, float* __restrict g,
                                                          float* __restrict c, float* __restrict h) {
  const int64_t width = 4 * hidden;
  if (h_prev != nullptr) {
    int64_t j = 0;
    for (; j + 32 <= width; j += 32) {
      float acc[32];
      for (int q = 0; q < 32; ++q) acc[q] = g[j + q];
      for (int64_t k = 0; k < hidden; ++k) {
        const float a = h_prev[k];
        const float* w = w_hh_t + k * width + j;
        for (int q = 0; q < 32; ++q) acc[q] += a * w[q];
      }
      for (int q = 0; q < 32; ++q) g[j + q] = acc[q];
    }
    for (int64_t k = 0; k < hidden; ++k)
      for (int64_t q = j; q < width; ++q) g[q] += h_prev[k] * w_hh_t[k * width + q];
  }
  for (int64_t j = 0; j < hidden; ++j) {
    const float in = sigmoid(g[j]), forget = sigmoid(g[hidden + j]);
    const float cell = tanh_approx(g[2 * hidden + j]), out = sigmoid(g[3 * hidden + j]);
    c[j] = forget * c[j] + in * cell;
    h[j] = out * tanh_approx(c[j]);
  }
}

// The same compiled twice, for any x86-64 and for AVX2 with FMA; the CPU picks once.
using CellStep = void (*)(const float*, int64_t, const float*, float*, float*, float*);
void cell_step_baseline(const float* w, int64_t hidden, const float* h_prev, float* g, float* c, float* h) {
  cell_step_body(w, hidden, h_prev, g, c, h);
}
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void cell_step_avx2(const float* w, int64_t hidden, const float* h_prev, float* g,
                                                        float* c, float* h) {
  cell_step_body(w, hidden, h_prev, g, c, h);
}
CellStep pick_cell_step() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? cell_step_avx2 : cell_step_baseline;
}
#else
CellStep pick_cell_step() { return cell_step_baseline; }
#endif
const CellStep best_cell_step = pick_cell_step();

// One direction. `gates` (one row per real step, `gate_stride` floats apart) holds each real step's
// input projection and both biases for this direction, row b's steps from first[b]; `out` [B,T,width]
// is the layer's output (this direction writes `hidden` columns from `column`) and holds each row's
// previous h.
void run_direction(float* gates, int64_t gate_stride, const std::vector<int64_t>& first, const int64_t* lengths,
                   const torch::Tensor& w_hh, bool reverse, CellStep cell_step, torch::Tensor& out, int64_t column) {
  const int64_t rows = out.size(0), steps = out.size(1), width = out.size(2), hidden = w_hh.size(1);
  const torch::Tensor w_hh_t = w_hh.t().contiguous();
  torch::Tensor c = torch::zeros({rows, hidden}, out.options());
  const float* w = w_hh_t.data_ptr<float>();
  float* o = out.data_ptr<float>() + column;
  for (int64_t b = 0; b < rows; ++b) {
    float* g = gates + first[static_cast<size_t>(b)] * gate_stride;
    float* cb = c.data_ptr<float>() + b * hidden;
    for (int64_t k = 0; k < lengths[b]; ++k) {
      const int64_t t = reverse ? lengths[b] - 1 - k : k, prev = reverse ? t + 1 : t - 1;
      cell_step(w, hidden, k == 0 ? nullptr : o + (b * steps + prev) * width, g + t * gate_stride, cb,
                o + (b * steps + t) * width);
    }
  }
}

}  // namespace

torch::Tensor lstm_inference(const torch::Tensor& x_in, const torch::Tensor& lengths_in,
                             const std::vector<torch::Tensor>& weights, bool bidirectional, LstmKernel kernel) {
  const CellStep cell_step = kernel == LstmKernel::portable ? cell_step_baseline : best_cell_step;
  const int64_t directions = bidirectional ? 2 : 1;
  if (x_in.dim() != 3 || x_in.scalar_type() != torch::kFloat || weights.size() != static_cast<size_t>(4 * directions))
    throw std::invalid_argument("lstm_inference: expected float x [B,T,in] and 4 weights per direction");
  const int64_t rows = x_in.size(0), steps = x_in.size(1), hidden = weights[1].size(1);
  if (lengths_in.dim() != 1 || lengths_in.size(0) != rows)
    throw std::invalid_argument("lstm_inference: expected one length per row");
  const torch::Tensor lengths = lengths_in.to(torch::kLong).clamp(0, steps).contiguous();
  const int64_t* len = lengths.data_ptr<int64_t>();
  // Only real steps are projected (padding can be half of a batch of mixed lengths), both
  // directions in one GEMM.
  std::vector<int64_t> first(static_cast<size_t>(rows)), real;
  for (int64_t b = 0; b < rows; ++b) {
    first[static_cast<size_t>(b)] = static_cast<int64_t>(real.size());
    for (int64_t t = 0; t < len[b]; ++t) real.push_back(b * steps + t);
  }
  std::vector<torch::Tensor> w_ih, bias;
  for (int64_t d = 0; d < directions; ++d) {
    w_ih.push_back(weights[static_cast<size_t>(4 * d)]);
    bias.push_back(weights[static_cast<size_t>(4 * d + 2)] + weights[static_cast<size_t>(4 * d + 3)]);
  }
  const torch::Tensor x = x_in.reshape({rows * steps, x_in.size(2)}).index_select(0, torch::tensor(real));
  const torch::Tensor gates = torch::addmm(torch::cat(bias), x, torch::cat(w_ih).t());  // [real, 4H * directions]
  torch::Tensor out = torch::zeros({rows, steps, hidden * directions}, x.options());
  for (int64_t d = 0; d < directions; ++d)
    run_direction(gates.data_ptr<float>() + d * 4 * hidden, gates.size(1), first, len,
                  weights[static_cast<size_t>(4 * d + 1)], d == 1, cell_step, out, d * hidden);
  return out;
}

}  // namespace adapt::text
