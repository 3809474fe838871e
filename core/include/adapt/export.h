#pragma once
// Export: one .adapt file holding the recipe, every block's learned state, the plugins and versions it
// needs, and the weights. No code is pickled; loading needs the same plugins present.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "adapt/data_blocks.h"
#include "adapt/model.h"
#include "adapt/registry.h"

namespace adapt {

// A loaded export, ready to predict on raw inputs.
class ADAPT_API Predictor {
 public:
  // Throws Error naming a missing or incompatible plugin.
  static Predictor load(const std::filesystem::path& file, const Registry& registry);

  // Raw inputs as on the command line (paths, texts, ...), read through the recipe's reader.
  std::vector<json> predict_inputs(const std::vector<std::string>& inputs) const;
  // Records with the columns the input blocks read.
  std::vector<json> predict(const Records& records) const;
  torch::Tensor outputs(const Records& records) const;  // raw model outputs, batched

  const json& recipe() const { return recipe_; }
  const json& manifest() const { return manifest_; }
  std::shared_ptr<Model> model() const { return model_; }
  std::shared_ptr<DataBlocks> blocks() const { return blocks_; }

 private:
  json recipe_, manifest_;
  std::shared_ptr<Model> model_;
  std::shared_ptr<DataBlocks> blocks_;
  std::shared_ptr<Reader> reader_;
};

// Writes atomically. `recipe` is the recipe that built the model (options with defaults filled).
void export_model(const std::filesystem::path& file, const json& recipe, const DataBlocks& blocks,
                  Model& model, const Registry& registry);

}  // namespace adapt
