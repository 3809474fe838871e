#include "adapt/model/model.h"

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>

#include <algorithm>

#include "adapt/data/data_blocks.h"
#include "adapt/model/model_summary.h"

namespace adapt {

Model::~Model() = default;

std::vector<std::vector<torch::Tensor>> Model::layer_groups() { return {parameters()}; }

std::shared_ptr<torch::nn::Module> Model::part(const std::string& name) {
  for (const auto& child : named_children())
    if (child.key() == name) return child.value();
  return nullptr;
}

torch::Tensor Model::embed(const Batch&) {
  throw Error("model " + name() + " produces no embeddings (it does not override Model::embed); "
              "use a model that documents an embedding, such as a sequence encoder");
}

torch::Tensor Model::forward_from_embedding(const torch::Tensor&) { return {}; }

std::pair<torch::Tensor, torch::Tensor> Model::forward_and_embed(const Batch& batch) {
  torch::Tensor features = embed(batch);
  torch::Tensor outputs = forward_from_embedding(features);
  return {outputs.defined() ? outputs : forward(batch), features};
}

std::vector<std::vector<torch::Tensor>> Model::encoder_layer_groups() {
  auto groups = layer_groups();
  if (groups.size() > 1) groups.pop_back();
  return groups;
}

json ModelContext::input_dims(const std::string& key) const { return blocks.input(key).dims(); }


// --- model_summary (adapt/model/model_summary.h) --------------------------------------------------

// Named: the unity build puts this file beside others with helpers of their own.
namespace summary_detail {

std::string shape_text(c10::IntArrayRef sizes) {
  std::string out = "[";
  for (size_t i = 0; i < sizes.size(); ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + "]";
}

// "torch::nn::LinearImpl" -> "Linear"; adapt's own modules keep their names.
std::string module_type(const torch::nn::Module& module) {
  std::string name = module.name();
  if (name.rfind("torch::nn::", 0) == 0) name = name.substr(11);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0) name.resize(name.size() - 4);
  return name;
}

// The output shape a layer's own options fix (features or channels); "" where they do not.
std::string layer_output(const torch::nn::Module& module) {
  if (auto* l = dynamic_cast<const torch::nn::LinearImpl*>(&module))
    return "[?, " + std::to_string(l->options.out_features()) + "]";
  if (auto* e = dynamic_cast<const torch::nn::EmbeddingImpl*>(&module))
    return "[?, " + std::to_string(e->options.embedding_dim()) + "]";
  if (auto* c = dynamic_cast<const torch::nn::Conv1dImpl*>(&module))
    return "[?, " + std::to_string(c->options.out_channels()) + ", ?]";
  if (auto* c = dynamic_cast<const torch::nn::Conv2dImpl*>(&module))
    return "[?, " + std::to_string(c->options.out_channels()) + ", ?, ?]";
  if (auto* r = dynamic_cast<const torch::nn::LSTMImpl*>(&module))
    return "[?, ?, " + std::to_string(r->options.hidden_size() * (r->options.bidirectional() ? 2 : 1)) + "]";
  if (auto* r = dynamic_cast<const torch::nn::GRUImpl*>(&module))
    return "[?, ?, " + std::to_string(r->options.hidden_size() * (r->options.bidirectional() ? 2 : 1)) + "]";
  return "";
}

std::string padded(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

}  // namespace summary_detail

std::string model_summary(const torch::nn::Module& model, const std::vector<int64_t>& output_shape) {
  using namespace summary_detail;
  struct Row {
    std::string name, type, output, shapes;
    int64_t params = 0;
  };
  std::vector<Row> rows;
  int64_t total = 0, trainable = 0;
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    const torch::nn::Module& module = *item.value();
    Row row{item.key(), module_type(module), layer_output(module), "", 0};
    for (const auto& p : module.named_parameters(/*recurse=*/false)) {
      row.params += p.value().numel();
      row.shapes += (row.shapes.empty() ? "" : " ") + p.key() + shape_text(p.value().sizes());
      total += p.value().numel();
      if (p.value().requires_grad()) trainable += p.value().numel();
    }
    rows.push_back(std::move(row));
  }
  for (const auto& p : model.named_parameters(/*recurse=*/false)) {  // held by the model itself
    total += p.value().numel();
    if (p.value().requires_grad()) trainable += p.value().numel();
  }
  size_t name_width = 5, type_width = 4, output_width = 6;
  for (const auto& r : rows) {
    name_width = std::max(name_width, r.name.size());
    type_width = std::max(type_width, r.type.size());
    output_width = std::max(output_width, r.output.size());
  }
  std::string out = "model " + module_type(model) + "\n" + padded("layer", name_width + 2) +
                    padded("type", type_width + 2) + padded("output", output_width + 2) + padded("params", 12) +
                    "parameter shapes\n";
  for (const auto& r : rows)
    out += padded(r.name, name_width + 2) + padded(r.type, type_width + 2) + padded(r.output, output_width + 2) +
           padded(r.params ? std::to_string(r.params) : "", 12) + r.shapes + "\n";
  if (!output_shape.empty()) out += "model output on one batch: " + shape_text(output_shape) + "\n";
  out += "parameters: " + std::to_string(total) + " (" + std::to_string(trainable) + " trainable, " +
         std::to_string(total - trainable) + " frozen)\n";
  return out;
}

}  // namespace adapt
