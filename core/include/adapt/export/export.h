#pragma once
// Export: one .adapt file holding the recipe, every block's learned state, the plugins and versions it
// needs, and the weights. No code is pickled; loading needs the same plugins present.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapt/data/data_blocks.h"
#include "adapt/model/model.h"
#include "adapt/monitor/monitor_reference.h"
#include "adapt/plugin/registry.h"
#include "adapt/train/learner.h"

namespace adapt {

// A batch's predictions as columns: the target's decoding per row, and the out-of-domain fields
// beside it rather than inside, for a host that writes them as columns of a table (`adapt predict
// --out preds.csv`) without building a JSON object per row.
struct ADAPT_API PredictionColumns {
  std::vector<json> decoded;        // the target's decode_batch() (temperature applied)
  std::vector<double> ood_score;    // per row; empty when the export has no out-of-domain scorer
  std::vector<char> in_domain;      // per row with ood_score: at most the threshold, and nothing unseen
  std::vector<std::string> unseen;  // per row: what an input block never saw in training ("" for nothing)
  size_t size() const { return decoded.size(); }
  // Row i as Predictor::predict() gives it: the decoding with "ood_score" and "in_domain" added, and
  // "unseen" (and "in_domain": false) where an input block never saw something of the row.
  json row(size_t i) const;
};

// A loaded export, ready to predict on raw inputs.
class ADAPT_API Predictor {
 public:
  // Throws Error naming a missing or incompatible plugin.
  static Predictor load(const std::filesystem::path& file, const Registry& registry);

  // Raw inputs as on the command line (paths, texts, CSV rows, ...) -> records, through the
  // recipe's reader; one input may give several records (a FASTA file, say).
  Records read_inputs(const std::vector<std::string>& inputs) const;
  std::vector<json> predict_inputs(const std::vector<std::string>& inputs) const;
  // The columns a table row must give (the input blocks' columns less those the reader joins by key),
  // and the step that fills the joined ones: what a host that parses its own rows needs.
  std::vector<std::string> input_columns() const;
  void complete(Records& records) const;
  // Records with the columns the input blocks read. Each prediction carries "ood_score" and
  // "in_domain" when the export has an out-of-domain scorer (monitor/out_of_domain.h).
  std::vector<json> predict(const Records& records) const;
  // The same predictions as columns.
  PredictionColumns predict_columns(const Records& records) const;
  // Outputs and pooled features in one pass (features undefined when the model has none).
  OutputsAndFeatures outputs_and_features(const Records& records) const;
  // The out-of-domain score per output row ([N]); undefined when the export has no scorer.
  torch::Tensor domain_scores(const OutputsAndFeatures& scored) const;
  // The decoded predictions of scored outputs (temperature applied) and their out-of-domain scores
  // (`unseen` left empty: it reads the records).
  PredictionColumns decode(const OutputsAndFeatures& scored) const;
  // The out-of-domain scorer and drift reference stored at training time (empty for older exports).
  const MonitorReference& monitor() const { return monitor_; }
  torch::Tensor outputs(const Records& records) const;  // raw model outputs, batched
  // Temperature scaling fitted on validation (1: none), stored in the export under "calibration":
  // predict() divides a classifier's logits by it before decoding, which moves probabilities only.
  double temperature() const { return temperature_; }
  torch::Tensor embeddings(const Records& records) const;  // Model::embed, [N, D]
  // One record as the model sees it before collation, and the raw outputs of such items in one batch
  // (`adjust` edits the batch first): what explanations (explain/explain.h) take parts out of.
  Sample encode_row(const Records& records, size_t row) const;
  torch::Tensor outputs_of(const std::vector<Sample>& items, const std::function<void(Batch&)>& adjust = nullptr) const;

  const json& recipe() const { return recipe_; }
  const json& manifest() const { return manifest_; }
  std::shared_ptr<Model> model() const { return model_; }
  std::shared_ptr<DataBlocks> blocks() const { return blocks_; }

 private:
  json recipe_, manifest_;
  std::shared_ptr<Model> model_;
  std::shared_ptr<DataBlocks> blocks_;
  std::shared_ptr<Reader> reader_;
  std::vector<std::shared_ptr<const Transform>> transforms_;  // deterministic (on_valid) ones
  double temperature_ = 1.0;
  MonitorReference monitor_;
};

// The manifest of an export (format checked); throws Error naming the file.
json read_manifest(const std::filesystem::path& file);
// Throws Error naming a plugin or component of the manifest's recipe that `registry` lacks, or a
// plugin whose loaded version is incompatible with the recorded one (major, or 0.minor, differs).
void check_plugins(const json& manifest, const Registry& registry, const std::string& what);
// {"<plugin>": "<version>"} for the plugins the recipe's components come from ("core" included).
json recipe_plugins(const json& recipe, const Registry& registry);

// Writes atomically. `recipe` is the recipe that built the model (options with defaults filled);
// `calibration` ({"temperature": T, ...}) is stored when given and applied by Predictor::predict;
// `monitor`, when given and not empty, gives every prediction its out-of-domain fields and `adapt drift`
// its reference.
void export_model(const std::filesystem::path& file, const json& recipe, const DataBlocks& blocks,
                  Model& model, const Registry& registry, const json& calibration = nullptr,
                  const MonitorReference* monitor = nullptr);

}  // namespace adapt
