#include "lstm_training.h"

#include <algorithm>

#include "lstm_forward.h"

namespace adapt::text {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Per real step, in the forward's layout: the gradients by the gates before activation, and the h
// each step started from (zero at a row's first step). The weights' GEMMs read both.
struct StepGradients {
  torch::Tensor dgates;  // [real, 4H * directions]
  torch::Tensor h_prev;  // [real, H * directions]
};

// One row in one direction, its steps in reverse: dh gathers the output's gradient and the recurrent
// one from the step after, dc the cell state's.
void backward_row(const LstmCellKernels& cell, const float* w_hh, int64_t hidden, int64_t b, int64_t d,
                  const LstmForward& f, const float* grad_out, StepGradients& s) {
  const PackedSteps& p = f.packed;
  const auto row = static_cast<size_t>(b);
  const int64_t length = p.length[row], gate_stride = f.gates.size(1), width = f.cells.size(1);
  const float* a = f.gates.data_ptr<float>() + p.first[row] * gate_stride + d * 4 * hidden;
  const float* c = f.cells.data_ptr<float>() + p.first[row] * width + d * hidden;
  const float* h = f.hs.data_ptr<float>() + p.first[row] * width + d * hidden;
  const float* dh_out = grad_out + b * p.steps * width + d * hidden;
  float* dg = s.dgates.data_ptr<float>() + p.first[row] * gate_stride + d * 4 * hidden;
  float* h_prev = s.h_prev.data_ptr<float>() + p.first[row] * width + d * hidden;
  std::vector<float> state(static_cast<size_t>(3 * hidden), 0.0f);
  float *dh = state.data(), *dh_before = dh + hidden, *dc = dh + 2 * hidden;
  std::copy_n(dh_out + step_of(length - 1, length, d == 1) * width, hidden, dh);
  for (int64_t k = length - 1; k >= 0; --k) {
    const int64_t t = step_of(k, length, d == 1), prev = step_of(k - 1, length, d == 1);
    const bool start = k == 0;
    if (start) {
      std::fill_n(h_prev + t * width, hidden, 0.0f);
    } else {
      std::copy_n(h + prev * width, hidden, h_prev + t * width);
      std::copy_n(dh_out + prev * width, hidden, dh_before);
    }
    cell.backward(w_hh, hidden, a + t * gate_stride, start ? nullptr : c + prev * width, c + t * width, dh, dc,
                  dg + t * gate_stride, start ? nullptr : dh_before);
    std::swap(dh, dh_before);
  }
}

// Input 0 is x, 1 the lengths, then the weights (4 per direction); the rest carry no gradient.
class LstmFunction : public torch::autograd::Function<LstmFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& lengths,
                               torch::TensorList weights, bool bidirectional, LstmKernel kernel) {
    LstmForward f = lstm_forward(x, lengths, weights, bidirectional, kernel, /*parallel=*/true);
    std::vector<torch::Tensor> saved;  // w_ih and w_hh per direction
    for (size_t i = 0; i < weights.size(); i += 4) saved.insert(saved.end(), {weights[i], weights[i + 1]});
    ctx->save_for_backward(saved);
    ctx->saved_data["x"] = f.x;
    ctx->saved_data["gates"] = f.gates;
    ctx->saved_data["cells"] = f.cells;
    ctx->saved_data["hs"] = f.hs;
    ctx->saved_data["lengths"] = torch::tensor(f.packed.length, torch::kLong);  // a copy: the caller's may change
    ctx->saved_data["steps"] = x.size(1);
    ctx->saved_data["kernel"] = static_cast<int64_t>(kernel);
    return f.out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    auto& data = ctx->saved_data;
    const int64_t directions = static_cast<int64_t>(saved.size()) / 2;
    const LstmForward f{pack_steps(data["lengths"].toTensor(), data["steps"].toInt()), data["x"].toTensor(),
                        data["gates"].toTensor(), data["cells"].toTensor(), data["hs"].toTensor(), {}};
    const int64_t hidden = f.cells.size(1) / directions;
    const torch::Tensor grad_out = grad_outputs[0].contiguous();
    StepGradients s{torch::empty_like(f.gates), torch::empty_like(f.cells)};
    std::vector<torch::Tensor> w_ih, w_hh;
    for (size_t d = 0; d < static_cast<size_t>(directions); ++d) {
      w_ih.push_back(saved[2 * d]);
      w_hh.push_back(saved[2 * d + 1].contiguous());
    }
    const LstmCellKernels& cell = lstm_cell_kernels(static_cast<LstmKernel>(data["kernel"].toInt()));
    for_each_row(f.packed, directions, /*parallel=*/true, [&](int64_t b, int64_t d) {
      backward_row(cell, w_hh[static_cast<size_t>(d)].data_ptr<float>(), hidden, b, d, f, grad_out.data_ptr<float>(),
                   s);
    });
    variable_list grads(static_cast<size_t>(2 + 4 * directions + 2));
    if (ctx->needs_input_grad(0)) grads[0] = input_gradient(f, s.dgates, torch::cat(w_ih));
    // One GEMM each over every real step, both directions at once where the layout allows.
    const torch::Tensor dw_ih = s.dgates.t().mm(f.x), db = s.dgates.sum(0);
    for (int64_t d = 0; d < directions; ++d) {
      const auto i = static_cast<size_t>(2 + 4 * d);
      grads[i] = dw_ih.narrow(0, 4 * hidden * d, 4 * hidden);
      grads[i + 1] = s.dgates.narrow(1, 4 * hidden * d, 4 * hidden).t().mm(s.h_prev.narrow(1, hidden * d, hidden));
      grads[i + 2] = db.narrow(0, 4 * hidden * d, 4 * hidden);
      grads[i + 3] = grads[i + 2].clone();  // its own tensor: autograd may keep it as a parameter's .grad
    }
    return grads;
  }

 private:
  // dx [B,T,in]: the real steps' rows of dgates . w_ih, zeros at padded steps.
  static torch::Tensor input_gradient(const LstmForward& f, const torch::Tensor& dgates, const torch::Tensor& w_ih) {
    const PackedSteps& p = f.packed;
    torch::Tensor dx = torch::zeros({p.rows, p.steps, f.x.size(1)}, f.x.options());
    dx.view({p.rows * p.steps, f.x.size(1)}).index_copy_(0, p.index, dgates.mm(w_ih));
    return dx;
  }
};

}  // namespace

torch::Tensor lstm_training(const torch::Tensor& x, const torch::Tensor& lengths, torch::TensorList weights,
                            bool bidirectional, LstmKernel kernel) {
  check_lstm_arguments("lstm_training", x, lengths, weights, bidirectional);
  return LstmFunction::apply(x, lengths, weights, bidirectional, kernel);
}

}  // namespace adapt::text
