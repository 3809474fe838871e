#include "lstm_forward.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace adapt::text {

PackedSteps pack_steps(const torch::Tensor& lengths_in, int64_t steps) {
  const torch::Tensor lengths = lengths_in.to(torch::kCPU, torch::kLong).clamp(0, steps).contiguous();
  PackedSteps p;
  p.rows = lengths.size(0);
  p.steps = steps;
  p.length.assign(lengths.data_ptr<int64_t>(), lengths.data_ptr<int64_t>() + p.rows);
  std::vector<int64_t> real;
  for (int64_t b = 0; b < p.rows; ++b) {
    p.first.push_back(static_cast<int64_t>(real.size()));
    for (int64_t t = 0; t < p.length[static_cast<size_t>(b)]; ++t) real.push_back(b * steps + t);
  }
  p.index = torch::tensor(real, torch::kLong);
  return p;
}

void for_each_row(const PackedSteps& packed, int64_t directions, bool parallel,
                  const std::function<void(int64_t, int64_t)>& task) {
  std::vector<int64_t> tasks;  // row * directions + direction, longest rows first
  for (int64_t b = 0; b < packed.rows; ++b)
    for (int64_t d = 0; d < directions && packed.length[static_cast<size_t>(b)] > 0; ++d)
      tasks.push_back(b * directions + d);
  const auto length = [&](int64_t task_id) { return packed.length[static_cast<size_t>(task_id / directions)]; };
  std::stable_sort(tasks.begin(), tasks.end(), [&](int64_t a, int64_t b) { return length(a) > length(b); });
  const auto buckets = static_cast<size_t>(parallel ? std::min<int64_t>(at::get_num_threads(), tasks.size()) : 1);
  // Each task to the bucket with the fewest steps so far: the threads finish together.
  std::vector<std::vector<int64_t>> bucket(std::max<size_t>(buckets, 1));
  std::vector<int64_t> load(bucket.size(), 0);
  for (int64_t id : tasks) {
    const auto least = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    bucket[least].push_back(id);
    load[least] += length(id);
  }
  const auto run = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      for (int64_t id : bucket[static_cast<size_t>(i)]) task(id / directions, id % directions);
  };
  if (bucket.size() == 1) return run(0, 1);
  at::parallel_for(0, static_cast<int64_t>(bucket.size()), 1, run);
}

void check_lstm_arguments(const char* who, const torch::Tensor& x, const torch::Tensor& lengths,
                          torch::TensorList weights, bool bidirectional) {
  const auto fail = [&](const std::string& what) { throw std::invalid_argument(std::string(who) + ": " + what); };
  const size_t directions = bidirectional ? 2 : 1;
  if (x.dim() != 3 || x.scalar_type() != torch::kFloat || !x.device().is_cpu()) fail("expected float x [B,T,in]");
  if (lengths.dim() != 1 || lengths.size(0) != x.size(0)) fail("expected one length per row");
  if (weights.size() != 4 * directions) fail("expected 4 weights per direction");
  const int64_t hidden = weights[1].dim() == 2 ? weights[1].size(1) : -1;
  const std::vector<std::vector<int64_t>> shapes{
      {4 * hidden, x.size(2)}, {4 * hidden, hidden}, {4 * hidden}, {4 * hidden}};
  for (size_t i = 0; i < weights.size(); ++i)
    if (weights[i].sizes() != torch::IntArrayRef(shapes[i % 4]) || weights[i].scalar_type() != torch::kFloat ||
        !weights[i].device().is_cpu())
      fail("weight " + std::to_string(i) + " is not a float CPU tensor of torch::lstm's shape");
}

namespace {

// One row in one direction: the recurrence over its real steps, in the forward's buffers.
void forward_row(const LstmCellKernels& cell, const float* w_hh_t, int64_t hidden, int64_t b, int64_t d,
                 LstmForward& f) {
  const PackedSteps& p = f.packed;
  const auto row = static_cast<size_t>(b);
  const int64_t length = p.length[row], gate_stride = f.gates.size(1), width = f.cells.size(1);
  float* g = f.gates.data_ptr<float>() + p.first[row] * gate_stride + d * 4 * hidden;
  float* c = f.cells.data_ptr<float>() + p.first[row] * width + d * hidden;
  float* h = f.hs.data_ptr<float>() + p.first[row] * width + d * hidden;
  for (int64_t k = 0; k < length; ++k) {
    const int64_t t = step_of(k, length, d == 1), prev = step_of(k - 1, length, d == 1);
    const bool start = k == 0;
    cell.forward(w_hh_t, hidden, start ? nullptr : h + prev * width, start ? nullptr : c + prev * width,
                 g + t * gate_stride, c + t * width, h + t * width);
  }
}

}  // namespace

LstmForward lstm_forward(const torch::Tensor& x, const torch::Tensor& lengths, torch::TensorList weights,
                         bool bidirectional, LstmKernel kernel, bool parallel) {
  torch::NoGradGuard no_grad;
  const int64_t directions = bidirectional ? 2 : 1, rows = x.size(0), steps = x.size(1), hidden = weights[1].size(1);
  LstmForward f;
  f.packed = pack_steps(lengths, steps);
  f.x = x.reshape({rows * steps, x.size(2)}).index_select(0, f.packed.index);
  std::vector<torch::Tensor> w_ih, bias, w_hh_t;
  for (size_t d = 0; d < static_cast<size_t>(directions); ++d) {
    w_ih.push_back(weights[4 * d]);
    w_hh_t.push_back(weights[4 * d + 1].t().contiguous());
    bias.push_back(weights[4 * d + 2] + weights[4 * d + 3]);
  }
  f.gates = torch::addmm(torch::cat(bias), f.x, torch::cat(w_ih).t());
  f.cells = torch::empty({f.packed.real(), hidden * directions}, x.options());
  f.hs = torch::empty_like(f.cells);
  const LstmCellKernels& cell = lstm_cell_kernels(kernel);
  for_each_row(f.packed, directions, parallel, [&](int64_t b, int64_t d) {
    forward_row(cell, w_hh_t[static_cast<size_t>(d)].data_ptr<float>(), hidden, b, d, f);
  });
  // A tensor of its own, not a view: the caller may change it in place, even under autograd.
  f.out = torch::zeros({rows, steps, hidden * directions}, x.options());
  f.out.view({rows * steps, hidden * directions}).index_copy_(0, f.packed.index, f.hs);
  return f;
}

}  // namespace adapt::text
