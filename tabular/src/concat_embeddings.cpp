#include "concat_embeddings.h"

#include <ATen/Parallel.h>
#include <adapt/common/error.h>

#include <cstring>
#include <string>

namespace adapt::tabular {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Where each table's rows come from and go to in the output.
struct Layout {
  std::vector<const float*> data;
  std::vector<int64_t> rows, widths, offsets;
  int64_t width = 0;  // the output's
  explicit Layout(const at::TensorList& tables) {
    for (const auto& t : tables) {
      data.push_back(t.data_ptr<float>());
      rows.push_back(t.size(0)), widths.push_back(t.size(1)), offsets.push_back(width);
      width += t.size(1);
    }
  }
};

struct ConcatEmbeddings : torch::autograd::Function<ConcatEmbeddings> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& ids_in, at::TensorList tables) {
    const torch::Tensor ids = ids_in.contiguous();
    const Layout layout(tables);
    const int64_t n = ids.size(0), k = ids.size(1);
    const int64_t* id = ids.data_ptr<int64_t>();
    for (int64_t i = 0; i < n * k; ++i)
      if (id[i] < 0 || id[i] >= layout.rows[static_cast<size_t>(i % k)])
        throw Error("tabular.model: categorical column " + std::to_string(i % k) + " has id " + std::to_string(id[i]) +
                    " outside its embedding table of " + std::to_string(layout.rows[static_cast<size_t>(i % k)]) +
                    " rows; the model and the encoded batch do not match");
    torch::Tensor out = torch::empty({n, layout.width}, tables[0].options());
    float* o = out.data_ptr<float>();
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        for (size_t t = 0; t < static_cast<size_t>(k); ++t)
          std::memcpy(o + i * layout.width + layout.offsets[t], layout.data[t] + id[i * k + static_cast<int64_t>(t)] * layout.widths[t],
                      static_cast<size_t>(layout.widths[t]) * sizeof(float));
    });
    ctx->saved_data["rows"] = layout.rows;
    ctx->saved_data["widths"] = layout.widths;
    ctx->save_for_backward({ids});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const torch::Tensor ids = ctx->get_saved_variables()[0];
    const torch::Tensor grad = grad_outputs[0].contiguous();
    const std::vector<int64_t> rows = ctx->saved_data["rows"].toIntVector();
    const std::vector<int64_t> widths = ctx->saved_data["widths"].toIntVector();
    const int64_t n = ids.size(0), k = ids.size(1), width = grad.size(1);
    const int64_t* id = ids.data_ptr<int64_t>();
    const float* g = grad.data_ptr<float>();
    variable_list out(1 + static_cast<size_t>(k));  // none for the ids
    std::vector<int64_t> offsets(static_cast<size_t>(k));
    for (int64_t t = 0, offset = 0; t < k; offset += widths[static_cast<size_t>(t)], ++t) {
      offsets[static_cast<size_t>(t)] = offset;
      out[static_cast<size_t>(t) + 1] = torch::zeros({rows[static_cast<size_t>(t)], widths[static_cast<size_t>(t)]}, grad.options());
    }
    // Tables apart on threads; within a table, rows in batch order, as index_add adds them.
    at::parallel_for(0, k, 1, [&](int64_t first, int64_t last) {
      for (int64_t t = first; t < last; ++t) {
        const int64_t d = widths[static_cast<size_t>(t)], offset = offsets[static_cast<size_t>(t)];
        float* gw = out[static_cast<size_t>(t) + 1].data_ptr<float>();
        for (int64_t i = 0; i < n; ++i) {
          float* row = gw + id[i * k + t] * d;
          const float* from = g + i * width + offset;
          for (int64_t j = 0; j < d; ++j) row[j] += from[j];
        }
      }
    });
    return out;
  }
};

}  // namespace

bool concat_embeddings_applies(const std::vector<torch::Tensor>& tables) {
  if (tables.empty()) return false;
  for (const auto& t : tables)
    if (!t.device().is_cpu() || t.scalar_type() != torch::kFloat || !t.is_contiguous() || t.dim() != 2) return false;
  return true;
}

torch::Tensor concat_embeddings(const torch::Tensor& ids, const std::vector<torch::Tensor>& tables) {
  if (ids.dim() != 2 || ids.scalar_type() != torch::kLong || ids.size(1) != static_cast<int64_t>(tables.size()))
    throw Error("tabular.model: expected categorical ids int64 [batch, " + std::to_string(tables.size()) + "]");
  return ConcatEmbeddings::apply(ids, at::TensorList(tables));
}

}  // namespace adapt::tabular
