#pragma once
// Block: turns raw fields of a record into tensors and model outputs back into predictions.
// Contract for authors (see docs/writing-a-plugin.md):
//  - setup() sees the TRAINING records only and learns all state (vocabulary, statistics, ...).
//  - encode() is const and thread-safe: loader workers call it concurrently.
//  - state()/load_state() round-trip everything setup() learned, so an export predicts identically.
//  - A target block also names its default loss, decodes outputs and says how many outputs it needs.
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <string>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/common/rng.h"
#include "adapt/common/tensor_dict.h"
#include "adapt/data/records.h"

namespace adapt {

struct EncodeContext {
  Split split = Split::train;
  Rng* rng = nullptr;  // for random crops on train; never null when split == train
};

class ADAPT_API Block {
 public:
  virtual ~Block();

  // Columns of a record this block reads.
  virtual std::vector<std::string> columns() const = 0;
  // Learns state from the training records only. Called once, before any encode.
  virtual void setup(const Records& train);
  // One record -> tensors, keyed relative to the block's key: "" for the main tensor, "mask", ...
  virtual TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const = 0;
  // Items -> batch. The default stacks every key; variable-length blocks pad and emit a mask.
  virtual TensorDict collate(const std::vector<TensorDict>& items) const;
  // Whether encode() is random on train (random crop): if no block is, the loader can encode every
  // row once and serve batches as index gathers (the fast path for tables and ids).
  virtual bool random_on_train() const { return false; }
  // Sequence length of an encoded row, for bucket-by-length sampling; -1 when not a sequence.
  virtual int64_t length(const Records& records, size_t row) const;

  // What a model sizes itself from, e.g. {"n_classes":10}, {"vocab_size":8000,"pad_id":1},
  // {"channels":1,"n_mels":64}. Valid after setup() or load_state().
  virtual json dims() const;
  // Learned state for export; may hold binary data (json::binary) such as a tokenizer model.
  virtual json state() const;
  virtual void load_state(const json& state);

  // --- target role ---------------------------------------------------------------------------
  // Default loss: "cross_entropy", "bce_with_logits", "mse"; empty when the block cannot be a target.
  virtual std::string loss() const { return {}; }
  // Output width the model must produce (classes, labels, 1 for a regression).
  virtual int64_t n_outputs() const;
  // One row of model output -> a prediction, e.g. {"label":"seven","probabilities":{...}}.
  virtual json decode(const torch::Tensor& output_row) const;
  // Class names in output order, empty for regression (confusion matrix, per-class metrics).
  virtual std::vector<std::string> classes() const { return {}; }

  // Human-readable raw item for top-losses reports (a path, a text, a row).
  virtual std::string describe(const Records& records, size_t row) const;
  // Why this row lies outside what setup() learned (an id the training split never had), or "" when
  // it does not or the block cannot tell. Predictions carry it as "unseen" and are out of domain
  // (docs/monitoring.md). Default: "".
  virtual std::string unseen(const Records& records, size_t row) const;

  // --- data audit (`adapt inspect`, docs/inspect.md) ----------------------------------------------
  // What this modality knows about its raw inputs in `rows` (audio durations and clipping, text lengths
  // and empty texts, residues, cardinality): {"stats": {...}, "warnings": [...], "notes": [...]}.
  // Optional: the default, null, adds nothing. Called after setup(), on each split's rows.
  virtual json audit(const Records& records, const std::vector<size_t>& rows) const;
};

}  // namespace adapt
