#include "adapt/common/tensor_dict.h"

#include "adapt/common/error.h"

namespace adapt {

const torch::Tensor& get(const TensorDict& dict, const std::string& key) {
  auto it = dict.find(key);
  if (it == dict.end()) {
    std::string keys;
    for (const auto& [name, tensor] : dict) keys += (keys.empty() ? "" : ", ") + ("\"" + name + "\"");
    throw Error("no tensor \"" + key + "\" in this sample/batch; it has " + (keys.empty() ? "no keys" : keys) +
                "; check the block keys in the recipe");
  }
  return it->second;
}

}  // namespace adapt
