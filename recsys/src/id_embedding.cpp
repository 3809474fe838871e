#include "id_embedding.h"

#include <adapt/common/memory.h>
#include <torch/torch.h>

namespace adapt::recsys {

IdTables IdTables::from_dims(const json& dims, const std::string& what) {
  if (!dims.is_object() || !dims.contains("tables") || !dims.contains("slots")) {
    throw OptionError("recsys model: the input block gives no table sizes for " + what +
                      " (dims " + dims.dump() + "); use recsys.ids as the model's input block");
  }
  IdTables t;
  t.sizes = dims.at("tables").get<std::vector<int64_t>>();
  t.slots = dims.at("slots").get<int64_t>();
  t.shared = dims.value("shared", false);
  t.product = dims.value("combine", std::string("sum")) == "product";
  if (t.sizes.empty() || (!t.shared && static_cast<int64_t>(t.sizes.size()) != t.slots)) {
    throw OptionError("recsys model: inconsistent table sizes for " + what + ": " + dims.dump());
  }
  return t;
}

int64_t IdTables::total_rows() const {
  int64_t n = 0;
  for (int64_t s : sizes) n += s;
  return n;
}

IdEmbeddingImpl::IdEmbeddingImpl(IdTables tables, int64_t dim, bool sparse, double init_std)
    : tables_(std::move(tables)) {
  for (size_t t = 0; t < tables_.sizes.size(); ++t) {
    // Huge pages before the first write: rows are read and updated at random (memory.h).
    torch::Tensor weight = torch::empty({tables_.sizes[t], dim});
    advise_huge_pages(weight.data_ptr(), weight.nbytes());
    weight.normal_();  // the draw Embedding's own initialisation makes: seeded runs keep their numbers
    weight.normal_(0.0, init_std);
    auto embedding = register_module(
        "table" + std::to_string(t),
        torch::nn::Embedding(torch::nn::EmbeddingOptions(tables_.sizes[t], dim).sparse(sparse)._weight(weight)));
    torch::NoGradGuard no_grad;
    // Product tables after the first start near 1 so the product starts like the first table (a
    // product of two near-zero vectors would vanish).
    if (tables_.product && t > 0) embedding->weight.add_(1.0);
    embedding->weight[0].zero_();                      // unknown id: no contribution
    tables_modules_.push_back(embedding);
  }
}

torch::Tensor IdEmbeddingImpl::forward(const torch::Tensor& ids) {
  TORCH_CHECK(ids.dim() == 2 && ids.size(1) == tables_.slots, "recsys IdEmbedding: expected ids [batch, ",
              tables_.slots, "], got ", ids.sizes());
  if (tables_.shared) {
    torch::Tensor out = tables_modules_[0]->forward(ids);  // [B, S, D]
    return tables_.slots == 1 ? out.squeeze(1) : out.sum(1);
  }
  torch::Tensor out = tables_modules_[0]->forward(ids.select(1, 0));
  for (int64_t s = 1; s < tables_.slots; ++s) {
    torch::Tensor part = tables_modules_[s]->forward(ids.select(1, s));
    out = tables_.product ? out * part : out + part;
  }
  return out;
}

torch::Tensor sigmoid_range(const torch::Tensor& x, double low, double high) {
  return torch::sigmoid(x) * (high - low) + low;
}

}  // namespace adapt::recsys
