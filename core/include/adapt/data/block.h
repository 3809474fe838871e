#pragma once
// Block: turns raw fields of a record into tensors and model outputs back into predictions.
// Contract for authors (see docs/writing-a-plugin.md):
//  - setup() sees the TRAINING records only and learns all state (vocabulary, statistics, ...).
//  - encode() is const and thread-safe: loader workers call it concurrently.
//  - state()/load_state() round-trip everything setup() learned, so an export predicts identically.
//  - A target block also names its default loss, decodes outputs and says how many outputs it needs.
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/common/rng.h"
#include "adapt/common/tensor_dict.h"
#include "adapt/data/records.h"

namespace adapt {

class Model;

struct EncodeContext {
  Split split = Split::train;
  Rng* rng = nullptr;  // for random crops on train; never null when split == train
};

// Whether an encoded key ("mask", "x.lengths") only shapes the batch and carries no content.
ADAPT_API bool is_auxiliary_key(const std::string& key);

// What Block::noise() may draw on (`adapt sanity`'s noise runs, docs/writing-a-plugin.md).
struct ADAPT_API NoiseContext {
  uint64_t seed = 0;  // the run's noise seed; a row's noise is a function of (seed, row) alone
  // Integer range [lo, hi] of each encoded key (relative, as encode() returns them) over the
  // training rows; the generic noise draws integers from it.
  std::map<std::string, std::pair<int64_t, int64_t>> integer_ranges;
  // The rows of the split being served, sorted; shuffled_row permutes within them.
  const std::vector<size_t>* split_rows = nullptr;
  // The row whose value of `column` (any number naming an independent shuffle) stands in for `row`'s:
  // one fixed permutation of split_rows per (seed, column), so every column keeps its values across
  // the split (its marginal) while its relation to the other columns and the target is destroyed.
  // `row` must be one of split_rows.
  size_t shuffled_row(size_t row, uint64_t column) const;
  // The random stream of `row`'s noise (from (seed, row, stream)); its generator() serves torch.
  Rng rng(size_t row, uint64_t stream = 0) const;
};

// One part of an encoded input that an explanation scores (`adapt explain`, docs/explanations.md).
struct InputPart {
  std::string name;     // for display: a token's text, "age=39", "0.40-0.50 s"
  TensorDict without;   // the encoded item with this part taken out, keys as encode() gives them
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
  // Optional: rows -> exactly what collate() of their encode()s gives, in one pass without a tensor
  // per row (a table's columns). Prediction uses it when every input block offers it; nullopt (the
  // default) means "not offered" and the rows are encoded one by one.
  virtual std::optional<TensorDict> encode_batch(const Records& records, const std::vector<size_t>& rows,
                                                 const EncodeContext& ctx) const;
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
  // Rows of model output [n, ...] -> one prediction each, equal to decode() of each row. The default
  // calls decode() per row; a block overrides it to read the whole batch at once, as a row view per
  // prediction costs more than a small target's decoding (1M ratings: about 1 us each).
  virtual std::vector<json> decode_batch(const torch::Tensor& outputs) const;
  // Class names in output order, empty for regression (confusion matrix, per-class metrics).
  virtual std::vector<std::string> classes() const { return {}; }

  // Human-readable raw item for top-losses reports (a path, a text, a row).
  virtual std::string describe(const Records& records, size_t row) const;
  // Why this row lies outside what setup() learned (an id the training split never had), or "" when
  // it does not or the block cannot tell. Predictions carry it as "unseen" and are out of domain
  // (docs/monitoring.md). Default: "".
  virtual std::string unseen(const Records& records, size_t row) const;
  // unseen() of every row of `records`, in order. The default calls unseen() per row; a block that
  // can tell overrides it to read its columns once (prediction asks it of every row).
  virtual std::vector<std::string> unseen_batch(const Records& records) const;

  // --- data audit (`adapt inspect`, docs/inspect.md) ----------------------------------------------
  // What this modality knows about its raw inputs in `rows` (audio durations and clipping, text lengths
  // and empty texts, residues, cardinality): {"stats": {...}, "warnings": [...], "notes": [...]}.
  // Optional: the default, null, adds nothing. Called after setup(), on each split's rows.
  virtual json audit(const Records& records, const std::vector<size_t>& rows) const;

  // --- sanity runs (`adapt sanity`, docs/recipes.md) -----------------------------------------------
  // The kinds of noise this block can put in place of its input, named for the report, e.g.
  // {"silence", "white noise"}; sanity trains one noise run per kind. The default, {"generic"}, suits
  // any block: floats N(0, 1), integers uniform over their training range.
  virtual std::vector<std::string> noise_kinds() const;
  // An encoded item of noise of `kind` (one of noise_kinds()) standing in for `row`: the keys, shapes
  // and dtypes encode() gives that row on that split, no information from the row's own content.
  // Deterministic in (ctx.seed, row) and thread-safe like encode().
  virtual TensorDict noise(const Records& records, size_t row, const EncodeContext& encode_ctx,
                           const std::string& kind, const NoiseContext& ctx) const;

  // --- explanations (`adapt explain`, docs/explanations.md) ---------------------------------------
  // The parts of `item` (what encode() gave `row` on the predict split) an explanation scores, in
  // input order, each with the item it leaves when taken out: a token deleted, a time band silenced,
  // a column set to its training mean. The core scores a part by how much the prediction moves
  // without it (occlusion). The default splits by tensor form: a 1-D integer sequence by position
  // (deleted), a float vector by entry (zeroed), an image by ten bands along its last axis (set to the
  // item's minimum), anything else is one part (zeroed). Override to name the parts and to take them
  // out as the modality means it.
  virtual std::vector<InputPart> parts(const Records& records, size_t row, const TensorDict& item) const;

  // --- show-batch (`adapt show-batch`, docs/training.md) -------------------------------------------
  // An encoded item (what encode() and the transforms gave `row`) as an HTML fragment for a person to
  // look at, rendered for the modality: a text's pieces, a spectrogram image, a row's values. Every
  // string from the data escaped. The default draws by tensor form: an image as a heatmap (an inline
  // PNG), numbers as text.
  virtual std::string show(const Records& records, size_t row, const TensorDict& item) const;

  // What the trained `model` learned about `row`'s input beyond its prediction, as an HTML fragment
  // for the report's top losses: recsys.ids lists the items whose learned vectors lie nearest this
  // item's, among the items of `train_rows`. `key` is the input's key in the batch ("x"). Default: ""
  // (nothing to add).
  virtual std::string show_learned(const Records& records, size_t row, const std::string& key, Model& model,
                                   const std::vector<size_t>& train_rows) const;
};

// Block::show's default pieces, for overrides that draw part of an item as the default does: an
// image as a heatmap (first channel, first row at the bottom) and numbers as text (the first
// max_values of them).
ADAPT_API std::string show_image(const torch::Tensor& image);
ADAPT_API std::string show_values(const torch::Tensor& values, size_t max_values = 64);

}  // namespace adapt
