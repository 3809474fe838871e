#include "adapt/model/model.h"

#include "adapt/data/data_blocks.h"

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

std::vector<std::vector<torch::Tensor>> Model::encoder_layer_groups() {
  auto groups = layer_groups();
  if (groups.size() > 1) groups.pop_back();
  return groups;
}

json ModelContext::input_dims(const std::string& key) const { return blocks.input(key).dims(); }

}  // namespace adapt
