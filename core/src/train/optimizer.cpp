#include "adapt/train/optimizer.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/serialize/archive.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <regex>

#include "adapt/common/memory.h"
#include "adapt/common/tensor_text.h"
#include "common/prefetch.h"

namespace adapt {
namespace {

// State of a large table is updated at random rows, like the table: huge pages before the first
// write (memory.h). Returns `t`, zeroed.
torch::Tensor zeros_in_huge_pages(torch::Tensor t) {
  if (t.device().is_cpu()) advise_huge_pages(t.data_ptr(), t.nbytes());
  return t.zero_();
}

// The fused kernels update float parameters in CPU memory from float gradients.
bool cpu_floats(const torch::Tensor& p, const torch::Tensor& other) {
  return p.device().is_cpu() && p.scalar_type() == torch::kFloat && other.scalar_type() == torch::kFloat;
}

bool fusable(const torch::Tensor& p, const torch::Tensor& other) { return cpu_floats(p, other) && p.is_contiguous(); }

// The fused dense kernel walks raw memory, so any dense layout works (channels-last convolution
// weights included) as long as the gradient and both moments share the parameter's strides.
bool fusable_dense(const torch::Tensor& p, const torch::Tensor& grad, const torch::Tensor& m, const torch::Tensor& v) {
  if (!cpu_floats(p, grad) || !p.is_non_overlapping_and_dense()) return false;
  for (const auto* t : {&grad, &m, &v}) {
    if (t->sizes() != p.sizes()) return false;
    for (int64_t d = 0; d < p.dim(); ++d)  // a size-1 dimension's stride never moves an address
      if (p.size(d) > 1 && t->stride(d) != p.stride(d)) return false;
  }
  return true;
}

struct AdamScalars {
  float decay, b1, b2, one_minus_b1, one_minus_b2, step_size, inv_sqrt_debias2, eps;
};

AdamScalars adam_scalars(const HyperParams& hp, bool decay, int64_t step) {
  const double wd = decay ? hp.wd : 0.0;
  const double debias1 = 1.0 - std::pow(hp.mom, static_cast<double>(step));
  const double debias2 = 1.0 - std::pow(hp.sqr_mom, static_cast<double>(step));
  return {static_cast<float>(1.0 - hp.lr * wd),        static_cast<float>(hp.mom),
          static_cast<float>(hp.sqr_mom),              static_cast<float>(1.0 - hp.mom),
          static_cast<float>(1.0 - hp.sqr_mom),        static_cast<float>(hp.lr / debias1),
          static_cast<float>(1.0 / std::sqrt(debias2)), static_cast<float>(hp.eps)};
}

// One pass over memory instead of the ~6 of separate tensor ops. no-math-errno lets GCC vectorise
// sqrt (the argument is never negative).
__attribute__((optimize("no-math-errno"))) void adam_kernel(float* __restrict p, const float* __restrict g,
                                                            float* __restrict m, float* __restrict v, int64_t n,
                                                            const AdamScalars& s) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = s.b1 * m[i] + s.one_minus_b1 * gi;
    const float vi = s.b2 * v[i] + s.one_minus_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * s.decay - s.step_size * mi / (__builtin_sqrtf(vi) * s.inv_sqrt_debias2 + s.eps);
  }
}

// Sparse updates touch a table's rows at random: while row i of a chunk is updated, row i + kAhead is
// prefetched (the chunk's first rows at its start), so the misses overlap the arithmetic. One burst of
// prefetches before the loop stalled on them instead (10M-row step, rowwise, 1 thread: -25 us).
// Callers skip it where the first table fits in the cache (rows_worth_prefetching): no call per row.
constexpr int64_t kAhead = 16;
struct RowTable {
  const float* data;
  int64_t width;
};
void prefetch_ahead(std::initializer_list<RowTable> tables, int64_t table_rows, const int64_t* rows, int64_t i,
                    int64_t begin, int64_t end) {
  const int64_t from = i == begin ? begin : i + kAhead, to = std::min(end, i + kAhead + 1);
  if (from >= to) return;
  for (const RowTable& t : tables) prefetch_rows(t.data, table_rows, t.width, rows + from, to - from);
}

void adam_dense(torch::Tensor& p, const torch::Tensor& grad, torch::Tensor& m, torch::Tensor& v,
                const AdamScalars& s, const HyperParams& hp, bool decay, int64_t step) {
  if (fusable_dense(p, grad, m, v)) {
    float* pp = p.data_ptr<float>();
    const float* gp = grad.data_ptr<float>();
    float* mp = m.data_ptr<float>();
    float* vp = v.data_ptr<float>();
    at::parallel_for(0, p.numel(), 32768, [&](int64_t begin, int64_t end) {
      adam_kernel(pp + begin, gp + begin, mp + begin, vp + begin, end - begin, s);
    });
    return;
  }
  const double wd = decay ? hp.wd : 0.0;
  const double debias1 = 1.0 - std::pow(hp.mom, static_cast<double>(step));
  const double debias2 = 1.0 - std::pow(hp.sqr_mom, static_cast<double>(step));
  if (wd != 0) p.mul_(1.0 - hp.lr * wd);
  m.mul_(hp.mom).add_(grad, 1.0 - hp.mom);
  v.mul_(hp.sqr_mom).addcmul_(grad, grad, 1.0 - hp.sqr_mom);
  auto denom = (v / debias2).sqrt_().add_(hp.eps);
  p.addcdiv_(m, denom, -hp.lr / debias1);
}

// Lazy update of the rows present in a sparse gradient (torch.optim.SparseAdam's rule).
void adam_sparse(torch::Tensor& p, const torch::Tensor& grad_in, torch::Tensor& m, torch::Tensor& v,
                 const AdamScalars& s, const HyperParams& hp, bool decay, int64_t step) {
  auto grad = grad_in.coalesce();
  auto indices = grad._indices();
  auto values = grad._values();
  if (values.numel() == 0) return;
  if (indices.size(0) != 1)
    throw Error(fmt::format("adamw: sparse gradients must index the first dimension only (an embedding table), got "
                            "{} sparse dims",
                            indices.size(0)));
  auto rows = indices.select(0, 0).contiguous();
  if (fusable(p, values) && m.is_contiguous() && v.is_contiguous()) {
    values = values.contiguous();
    const int64_t n_rows = rows.numel();
    const int64_t width = p.dim() > 1 ? p.numel() / p.size(0) : 1;
    const int64_t* r = rows.data_ptr<int64_t>();
    float* pp = p.data_ptr<float>();
    const float* gp = values.data_ptr<float>();
    float* mp = m.data_ptr<float>();
    float* vp = v.data_ptr<float>();
    const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(width, 1));
    const bool ahead = detail::rows_worth_prefetching(p.size(0), width);
    at::parallel_for(0, n_rows, grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        if (ahead) prefetch_ahead({{pp, width}, {mp, width}, {vp, width}}, p.size(0), r, i, begin, end);
        const int64_t off = r[i] * width;  // rows are unique after coalesce
        adam_kernel(pp + off, gp + i * width, mp + off, vp + off, width, s);
      }
    });
    return;
  }
  const double wd = decay ? hp.wd : 0.0;
  const double debias1 = 1.0 - std::pow(hp.mom, static_cast<double>(step));
  const double debias2 = 1.0 - std::pow(hp.sqr_mom, static_cast<double>(step));
  auto m_rows = m.index_select(0, rows).mul_(hp.mom).add_(values, 1.0 - hp.mom);
  auto v_rows = v.index_select(0, rows).mul_(hp.sqr_mom).addcmul_(values, values, 1.0 - hp.sqr_mom);
  auto p_rows = p.index_select(0, rows);
  if (wd != 0) p_rows.mul_(1.0 - hp.lr * wd);
  p_rows.addcdiv_(m_rows, (v_rows / debias2).sqrt_().add_(hp.eps), -hp.lr / debias1);
  m.index_copy_(0, rows, m_rows);
  v.index_copy_(0, rows, v_rows);
  p.index_copy_(0, rows, p_rows);
}

// AdamWOptions::row_wise_sparse: one second-moment value per row ("row_sq"), no first moment.
void row_wise_adam_sparse(torch::Tensor& p, const torch::Tensor& grad_in, TensorDict& buffers, const HyperParams& hp,
                          double wd, int64_t step) {
  if (p.scalar_type() != torch::kFloat || !p.is_contiguous() || p.dim() != 2)
    throw Error("rowwise_adamw: sparse updates need a contiguous float32 [rows, width] table, got " +
                std::string(c10::toString(p.scalar_type())) + " " + shape_text(p) + "; use optimizer \"adamw\"");
  torch::Tensor grad = grad_in.coalesce();
  torch::Tensor rows = grad._indices().select(0, 0).contiguous();
  torch::Tensor values = grad._values().contiguous();
  auto it = buffers.find("row_sq");
  if (it == buffers.end()) it = buffers.emplace("row_sq", zeros_in_huge_pages(torch::empty({p.size(0)}, p.options()))).first;
  const int64_t n = rows.numel(), width = p.size(1);
  const int64_t* r = rows.data_ptr<int64_t>();
  const float* g = values.data_ptr<float>();
  float* w = p.data_ptr<float>();
  float* vr = it->second.data_ptr<float>();
  const float b2 = static_cast<float>(hp.sqr_mom), lr = static_cast<float>(hp.lr), eps = static_cast<float>(hp.eps);
  const float decay = static_cast<float>(1.0 - hp.lr * wd);
  const float debias2 = static_cast<float>(1.0 - std::pow(hp.sqr_mom, static_cast<double>(step)));
  const bool ahead = detail::rows_worth_prefetching(p.size(0), width);
  at::parallel_for(0, n, std::max<int64_t>(1, 16384 / std::max<int64_t>(width, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      if (ahead) prefetch_ahead({{w, width}, {vr, 1}}, p.size(0), r, i, begin, end);
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

torch::Tensor& buffer(TensorDict& buffers, const char* name, const torch::Tensor& like) {
  auto it = buffers.find(name);
  if (it == buffers.end()) {
    // The parameter's own layout when it is dense (see fusable_dense), row-major otherwise.
    const auto layout = like.is_non_overlapping_and_dense() ? at::MemoryFormat::Preserve : at::MemoryFormat::Contiguous;
    it = buffers.emplace(name, zeros_in_huge_pages(torch::empty_like(like, layout))).first;
  }
  return it->second;
}

}  // namespace

HyperParams default_hyper_params(const std::string& optimizer) {
  HyperParams hp;
  if (optimizer == "adamw" || optimizer == "rowwise_adamw") return hp;
  if (optimizer == "sgd") {
    hp.lr = 1e-2;
    hp.mom = 0.9;
    hp.wd = 0.0;
    return hp;
  }
  throw OptionError(fmt::format("optimizer: unknown optimizer '{}'; known: adamw, rowwise_adamw, sgd", optimizer));
}

std::vector<ParamGroup> split_no_decay(const std::vector<std::vector<torch::Tensor>>& layer_groups,
                                       const HyperParams& hp) {
  std::vector<ParamGroup> groups;
  for (size_t i = 0; i < layer_groups.size(); ++i) {
    ParamGroup decay{{}, hp, static_cast<int64_t>(i), true};
    ParamGroup no_decay{{}, hp, static_cast<int64_t>(i), false};
    for (const auto& p : layer_groups[i]) (p.dim() <= 1 ? no_decay : decay).params.push_back(p);
    if (!decay.params.empty()) groups.push_back(std::move(decay));
    if (!no_decay.params.empty()) groups.push_back(std::move(no_decay));
  }
  return groups;
}

// ---- Optimizer ---------------------------------------------------------------------------------

Optimizer::Optimizer(std::vector<ParamGroup> groups) : groups_(std::move(groups)) {
  for (size_t i = 0; i < groups_.size(); ++i) {
    const auto& hp = groups_[i].hp;
    if (!(hp.lr >= 0) || !(hp.eps >= 0) || !(hp.wd >= 0) || !(hp.mom >= 0 && hp.mom < 1) ||
        !(hp.sqr_mom >= 0 && hp.sqr_mom < 1))
      throw OptionError(fmt::format("optimizer: group {} has invalid hyper-parameters lr={} mom={} sqr_mom={} eps={} "
                                    "wd={}; need lr, eps, wd >= 0 and mom, sqr_mom in [0, 1)",
                                    i, hp.lr, hp.mom, hp.sqr_mom, hp.eps, hp.wd));
    state_.emplace_back(groups_[i].params.size());
  }
}

Optimizer::~Optimizer() = default;

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& g : groups_)
    for (auto& p : g.params) {
      auto& grad = p.mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad = torch::Tensor();
      } else {
        if (grad.grad_fn()) grad = grad.detach();
        else grad.requires_grad_(false);
        grad.zero_();
      }
    }
}

const ParamGroup& Optimizer::group(size_t index) const {
  if (index >= groups_.size())
    throw Error(fmt::format("optimizer: no parameter group {} (it has {})", index, groups_.size()));
  return groups_[index];
}

void Optimizer::set_lr(size_t g, double lr) {
  group(g);
  groups_[g].hp.lr = lr;
}
void Optimizer::set_lr(double lr) {
  for (auto& g : groups_) g.hp.lr = lr;
}
void Optimizer::set_layer_group_lrs(const std::vector<double>& lrs) {
  for (size_t i = 0; i < groups_.size(); ++i) {
    const auto lg = groups_[i].layer_group;
    if (lg < 0 || static_cast<size_t>(lg) >= lrs.size())
      throw Error(fmt::format("optimizer: parameter group {} belongs to layer group {}, but {} learning rates were "
                              "given; give one per layer group",
                              i, lg, lrs.size()));
    groups_[i].hp.lr = lrs[static_cast<size_t>(lg)];
  }
}
void Optimizer::set_mom(size_t g, double mom) {
  group(g);
  groups_[g].hp.mom = mom;
}
void Optimizer::set_mom(double mom) {
  for (auto& g : groups_) g.hp.mom = mom;
}
void Optimizer::set_wd(double wd) {
  for (auto& g : groups_) g.hp.wd = wd;
}

TensorDict Optimizer::state_dict() const {
  TensorDict out;
  auto scalar = [](double v) { return torch::tensor(v, torch::kDouble); };
  for (size_t i = 0; i < groups_.size(); ++i) {
    const auto& hp = groups_[i].hp;
    const std::string g = fmt::format("g{}.", i);
    out[g + "lr"] = scalar(hp.lr);
    out[g + "mom"] = scalar(hp.mom);
    out[g + "sqr_mom"] = scalar(hp.sqr_mom);
    out[g + "eps"] = scalar(hp.eps);
    out[g + "wd"] = scalar(hp.wd);
    for (size_t j = 0; j < state_[i].size(); ++j) {
      const auto& st = state_[i][j];
      if (st.step == 0 && st.buffers.empty()) continue;
      const std::string p = fmt::format("g{}.p{}.", i, j);
      out[p + "step"] = torch::tensor(st.step, torch::kLong);
      for (const auto& [name, t] : st.buffers) out[p + name] = t.clone();
    }
  }
  return out;
}

void Optimizer::load_state_dict(const TensorDict& state) {
  static const std::regex param_key(R"(g(\d+)\.p(\d+)\.(\w+))");
  static const std::regex group_key(R"(g(\d+)\.(lr|mom|sqr_mom|eps|wd))");
  const std::string what = "optimizer state";
  std::vector<std::vector<ParamState>> fresh;
  for (const auto& g : groups_) fresh.emplace_back(g.params.size());
  auto groups = groups_;
  for (const auto& [key, t] : state) {
    std::smatch m;
    if (std::regex_match(key, m, group_key)) {
      const size_t i = std::stoul(m[1]);
      if (i >= groups.size())
        throw Error(fmt::format("{}: key '{}' is for group {}, but this {} optimizer has {} groups; resume with the "
                                "same model, freezing and recipe",
                                what, key, i, name(), groups.size()));
      const double v = t.item<double>();
      const std::string field = m[2];
      auto& hp = groups[i].hp;
      (field == "lr" ? hp.lr : field == "mom" ? hp.mom : field == "sqr_mom" ? hp.sqr_mom : field == "eps" ? hp.eps : hp.wd) = v;
    } else if (std::regex_match(key, m, param_key)) {
      const size_t i = std::stoul(m[1]), j = std::stoul(m[2]);
      if (i >= groups.size() || j >= groups[i].params.size())
        throw Error(fmt::format("{}: key '{}' names a parameter this {} optimizer does not have ({} groups); resume "
                                "with the same model, freezing and recipe",
                                what, key, name(), groups.size()));
      const std::string field = m[3];
      if (field == "step") {
        fresh[i][j].step = t.item<int64_t>();
        continue;
      }
      const auto& p = groups[i].params[j];
      if (t.sizes() != p.sizes())
        throw Error(fmt::format("{}: '{}' has shape {} but parameter {} of group {} has shape {}; the checkpoint was "
                                "saved for a different model",
                                what, key, shape_text(t), j, i, shape_text(p)));
      fresh[i][j].buffers[field] = t.to(p.device(), p.scalar_type()).contiguous().clone();
    } else {
      throw Error(fmt::format("{}: unknown key '{}'; was it saved by adapt's {} optimizer?", what, key, name()));
    }
  }
  groups_ = std::move(groups);
  state_ = std::move(fresh);
}

namespace {
// Archive keys cannot hold dots (they become attribute names): "g0.p1.exp_avg" <-> "g0__p1__exp_avg".
std::string to_archive_key(std::string key) {
  for (size_t pos; (pos = key.find('.')) != std::string::npos;) key.replace(pos, 1, "__");
  return key;
}
std::string from_archive_key(std::string key) {
  for (size_t pos; (pos = key.find("__")) != std::string::npos;) key.replace(pos, 2, ".");
  return key;
}
}  // namespace

void Optimizer::save(torch::serialize::OutputArchive& archive) const {
  for (const auto& [key, t] : state_dict()) archive.write(to_archive_key(key), t);
}

void Optimizer::load(torch::serialize::InputArchive& archive) {
  TensorDict state;
  for (const auto& key : archive.keys()) {
    torch::Tensor t;
    archive.read(key, t);
    state[from_archive_key(key)] = t;
  }
  load_state_dict(state);
}

// ---- AdamW -------------------------------------------------------------------------------------

void AdamW::step() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < groups_.size(); ++i) {
    const auto& g = groups_[i];
    for (size_t j = 0; j < g.params.size(); ++j) {
      auto p = g.params[j];
      const auto& grad = p.grad();
      if (!grad.defined()) continue;
      auto& st = state(i, j);
      ++st.step;
      if (grad.is_sparse() && options_.row_wise_sparse) {
        row_wise_adam_sparse(p, grad, st.buffers, g.hp, g.decay ? g.hp.wd : 0.0, st.step);
        continue;
      }
      auto& m = buffer(st.buffers, "exp_avg", p);
      auto& v = buffer(st.buffers, "exp_avg_sq", p);
      const auto s = adam_scalars(g.hp, g.decay, st.step);
      if (grad.is_sparse())
        adam_sparse(p, grad, m, v, s, g.hp, g.decay, st.step);
      else
        adam_dense(p, grad, m, v, s, g.hp, g.decay, st.step);
    }
  }
}

// ---- SGD ---------------------------------------------------------------------------------------

void SGD::step() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < groups_.size(); ++i) {
    const auto& g = groups_[i];
    const auto& hp = g.hp;
    const double wd = g.decay ? hp.wd : 0.0;
    for (size_t j = 0; j < g.params.size(); ++j) {
      auto p = g.params[j];
      const auto& grad = p.grad();
      if (!grad.defined()) continue;
      auto& st = state(i, j);
      ++st.step;
      if (grad.is_sparse()) {
        auto sg = grad.coalesce();
        auto rows = sg._indices().select(0, 0);
        auto values = sg._values();
        auto p_rows = p.index_select(0, rows);
        if (wd != 0) p_rows.mul_(1.0 - hp.lr * wd);
        if (hp.mom != 0) {
          auto& b = buffer(st.buffers, "momentum_buffer", p);
          auto b_rows = b.index_select(0, rows).mul_(hp.mom).add_(values);
          b.index_copy_(0, rows, b_rows);
          p_rows.add_(b_rows, -hp.lr);
        } else {
          p_rows.add_(values, -hp.lr);
        }
        p.index_copy_(0, rows, p_rows);
        continue;
      }
      if (wd != 0) p.mul_(1.0 - hp.lr * wd);
      if (hp.mom != 0) {
        auto& b = buffer(st.buffers, "momentum_buffer", p);
        b.mul_(hp.mom).add_(grad);
        p.add_(b, -hp.lr);
      } else {
        p.add_(grad, -hp.lr);
      }
    }
  }
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<ParamGroup> groups) {
  if (name == "adamw") return std::make_unique<AdamW>(std::move(groups));
  if (name == "rowwise_adamw") return std::make_unique<AdamW>(std::move(groups), AdamWOptions{true});
  if (name == "sgd") return std::make_unique<SGD>(std::move(groups));
  throw OptionError(fmt::format("optimizer: unknown optimizer '{}'; known: adamw, rowwise_adamw, sgd", name));
}

}  // namespace adapt
