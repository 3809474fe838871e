#include "row_wise_adam.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>

namespace adapt::recsys {

namespace {

torch::Tensor& buffer(TensorDict& buffers, const char* name, torch::IntArrayRef shape, const torch::Tensor& like) {
  auto it = buffers.find(name);
  if (it == buffers.end()) it = buffers.emplace(name, torch::zeros(shape, like.options())).first;
  return it->second;
}

void dense_adamw(torch::Tensor& p, const torch::Tensor& grad, TensorDict& buffers, const HyperParams& hp, double wd,
                 int64_t step) {
  auto& m = buffer(buffers, "exp_avg", p.sizes(), p);
  auto& v = buffer(buffers, "exp_avg_sq", p.sizes(), p);
  if (wd != 0) p.mul_(1.0 - hp.lr * wd);
  m.mul_(hp.mom).add_(grad, 1.0 - hp.mom);
  v.mul_(hp.sqr_mom).addcmul_(grad, grad, 1.0 - hp.sqr_mom);
  const double debias1 = 1.0 - std::pow(hp.mom, static_cast<double>(step));
  const double debias2 = 1.0 - std::pow(hp.sqr_mom, static_cast<double>(step));
  p.addcdiv_(m, (v / debias2).sqrt_().add_(hp.eps), -hp.lr / debias1);
}

void row_wise_sparse(torch::Tensor& p, const torch::Tensor& grad_in, TensorDict& buffers, const HyperParams& hp,
                     double wd, int64_t step) {
  TORCH_CHECK(p.scalar_type() == torch::kFloat && p.is_contiguous() && p.dim() == 2,
              "rowwise_adam: sparse updates need a contiguous float32 [rows, width] table, got ", p.sizes());
  torch::Tensor grad = grad_in.coalesce();
  torch::Tensor rows = grad._indices().select(0, 0).contiguous();
  torch::Tensor values = grad._values().contiguous();
  auto& v = buffer(buffers, "row_sq", {p.size(0)}, p);
  const int64_t n = rows.numel(), width = p.size(1);
  const int64_t* r = rows.data_ptr<int64_t>();
  const float* g = values.data_ptr<float>();
  float* w = p.data_ptr<float>();
  float* vr = v.data_ptr<float>();
  const float b2 = static_cast<float>(hp.sqr_mom), lr = static_cast<float>(hp.lr), eps = static_cast<float>(hp.eps);
  const float decay = static_cast<float>(1.0 - hp.lr * wd);
  const float debias2 = static_cast<float>(1.0 - std::pow(hp.sqr_mom, static_cast<double>(step)));
  at::parallel_for(0, n, std::max<int64_t>(1, 16384 / std::max<int64_t>(width, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float* gi = g + i * width;
      float* wi = w + r[i] * width;  // rows are unique after coalesce
      float sq = 0;
      for (int64_t k = 0; k < width; ++k) sq += gi[k] * gi[k];
      float& vi = vr[r[i]];
      vi = b2 * vi + (1 - b2) * sq / static_cast<float>(width);
      const float scale = lr / (std::sqrt(vi / debias2) + eps);
      for (int64_t k = 0; k < width; ++k) wi[k] = wi[k] * decay - scale * gi[k];
    }
  });
}

}  // namespace

void RowWiseAdam::step() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < groups_.size(); ++i) {
    const auto& group = groups_[i];
    const double wd = group.decay ? group.hp.wd : 0.0;
    for (size_t j = 0; j < group.params.size(); ++j) {
      torch::Tensor p = group.params[j];
      const torch::Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      auto& st = state(i, j);
      ++st.step;
      if (grad.is_sparse()) {
        row_wise_sparse(p, grad, st.buffers, group.hp, wd, st.step);
      } else {
        dense_adamw(p, grad, st.buffers, group.hp, wd, st.step);
      }
    }
  }
}

}  // namespace adapt::recsys
