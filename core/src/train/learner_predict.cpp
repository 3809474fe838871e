// Prediction on raw records: the one path shared by Learner::predict and Predictor, so an export
// reproduces the in-memory learner's outputs bit for bit.
#include <torch/utils.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>

#include "adapt/train/learner.h"
#include "train/eval_mode.h"

namespace adapt {

namespace {

Sample encode_item(const DataBlocks& blocks, const std::vector<std::shared_ptr<const Transform>>& transforms,
                   const Records& records, size_t row, const EncodeContext& ctx, Rng& rng) {
  Sample sample = blocks.encode(records, row, ctx, /*with_target=*/false);
  for (const auto& t : transforms)
    if (t->on_valid() && t->level() == TransformLevel::item) t->apply(sample, rng);
  return sample;
}

// A collated batch gets its row indices and the batch-level transforms.
Batch finish_batch(Batch batch, const std::vector<std::shared_ptr<const Transform>>& transforms,
                   const std::vector<int64_t>& rows, Rng& rng) {
  batch["row"] = torch::tensor(rows, torch::kInt64);
  for (const auto& t : transforms)
    if (t->on_valid() && t->level() == TransformLevel::batch) t->apply(batch, rng);
  return batch;
}

Batch collate_items(const DataBlocks& blocks, const std::vector<std::shared_ptr<const Transform>>& transforms,
                    const std::vector<Sample>& items, const std::vector<int64_t>& rows, Rng& rng) {
  return finish_batch(blocks.collate(items), transforms, rows, rng);
}

// Rows in the order their batches run: by sequence length when an input reads sequences, so each
// batch pads to little more than its own rows (AMP peptides run from 10 to 200 residues: a random
// batch pads nearly all to 200). Stable, so the batches, and the outputs to the last bit, depend on
// the records alone.
std::vector<int64_t> predict_order(const DataBlocks& blocks, const Records& records, int64_t batch_size) {
  std::vector<int64_t> order(records.size());
  std::iota(order.begin(), order.end(), int64_t(0));
  if (records.size() <= static_cast<size_t>(batch_size) || blocks.length(records, 0) < 0) return order;
  std::vector<int64_t> lengths(records.size());
  for (size_t row = 0; row < records.size(); ++row) lengths[row] = blocks.length(records, row);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return lengths[a] < lengths[b]; });
  return order;
}

// Rows of `t` in the records' order, from the order for_each_predict_batch visited them in.
torch::Tensor in_record_order(const torch::Tensor& t, const std::vector<int64_t>& order) {
  if (std::is_sorted(order.begin(), order.end())) return t;
  return torch::empty_like(t).index_copy_(0, torch::tensor(order, torch::kInt64), t);
}

// Encodes `records` for prediction in batches and hands each batch to `visit` (eval mode, no grad);
// returns the rows in the order the batches held them (predict_order).
std::vector<int64_t> for_each_predict_batch(Model& model, const DataBlocks& blocks,
                            const std::vector<std::shared_ptr<const Transform>>& transforms, const Records& records,
                            int64_t batch_size, const std::function<void(const Batch&)>& visit) {
  if (records.empty()) throw DataError("predict: no records to predict (source " + records.source() + ")");
  if (batch_size < 1) throw OptionError("predict: batch_size must be >= 1, got " + std::to_string(batch_size));
  for (const auto& column : blocks.input_columns())
    if (!records.has_column(column)) {
      std::string have;
      for (const auto& name : records.column_names()) have += (have.empty() ? "" : ", ") + name;
      throw DataError("predict: the records from " + records.source() + " have no column \"" + column +
                      "\" that the input blocks read (columns: " + have + ")");
    }
  EvalMode eval(model);
  torch::NoGradGuard no_grad;
  // Deterministic preprocessing only; random augmentation never touches prediction.
  Rng rng(0);
  EncodeContext ctx;
  ctx.split = Split::predict;
  ctx.rng = &rng;
  // Item transforms see one sample at a time; without them, blocks that can encode a batch at once.
  const bool item_transforms = std::any_of(transforms.begin(), transforms.end(), [](const auto& t) {
    return t->on_valid() && t->level() == TransformLevel::item;
  });
  const std::vector<int64_t> order = predict_order(blocks, records, batch_size);
  for (size_t start = 0; start < order.size(); start += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(order.size(), start + static_cast<size_t>(batch_size));
    const std::vector<int64_t> rows(order.begin() + static_cast<std::ptrdiff_t>(start),
                                    order.begin() + static_cast<std::ptrdiff_t>(end));
    std::optional<Batch> batch;
    if (!item_transforms) batch = blocks.encode_batch(records, std::vector<size_t>(rows.begin(), rows.end()), ctx);
    if (batch) {
      visit(finish_batch(std::move(*batch), transforms, rows, rng));
      continue;
    }
    std::vector<Sample> items;
    items.reserve(rows.size());
    for (int64_t row : rows) items.push_back(encode_item(blocks, transforms, records, static_cast<size_t>(row), ctx, rng));
    visit(collate_items(blocks, transforms, items, rows, rng));
  }
  return order;
}

}  // namespace

Sample encode_for_predict(const DataBlocks& blocks, const std::vector<std::shared_ptr<const Transform>>& transforms,
                          const Records& records, size_t row) {
  Rng rng(0);
  EncodeContext ctx;
  ctx.split = Split::predict;
  ctx.rng = &rng;
  return encode_item(blocks, transforms, records, row, ctx, rng);
}

torch::Tensor predict_items(Model& model, const DataBlocks& blocks,
                            const std::vector<std::shared_ptr<const Transform>>& transforms,
                            const std::vector<Sample>& items, const std::function<void(Batch&)>& adjust) {
  if (items.empty()) throw Error("predict_items: no items");
  EvalMode eval(model);
  torch::NoGradGuard no_grad;
  Rng rng(0);
  Batch batch = collate_items(blocks, transforms, items, std::vector<int64_t>(items.size(), 0), rng);
  if (adjust) adjust(batch);
  return model.forward(batch);
}

torch::Tensor predict_outputs(Model& model, const DataBlocks& blocks,
                              const std::vector<std::shared_ptr<const Transform>>& transforms, const Records& records,
                              int64_t batch_size, ModelOutput what) {
  std::vector<torch::Tensor> outputs;
  const auto order = for_each_predict_batch(model, blocks, transforms, records, batch_size, [&](const Batch& batch) {
    outputs.push_back(what == ModelOutput::embedding ? model.embed(batch) : model.forward(batch));
  });
  return in_record_order(torch::cat(outputs), order);
}

OutputsAndFeatures predict_outputs_and_features(Model& model, const DataBlocks& blocks,
                                                const std::vector<std::shared_ptr<const Transform>>& transforms,
                                                const Records& records, int64_t batch_size) {
  std::vector<torch::Tensor> outputs, features;
  std::map<std::string, std::vector<TokenSequences>> sequences;
  const bool embeds = model.embedding_width() > 0;
  const auto order = for_each_predict_batch(model, blocks, transforms, records, batch_size, [&](const Batch& batch) {
    if (embeds) {
      auto [o, f] = model.forward_and_embed(batch);
      outputs.push_back(o), features.push_back(f);
    } else {
      outputs.push_back(model.forward(batch));
    }
    for (const auto& input : blocks.inputs()) {
      const auto ids = batch.find(input.key), lengths = batch.find(input.key + ".lengths");
      if (ids != batch.end() && lengths != batch.end() && ids->second.dim() == 2 &&
          ids->second.scalar_type() == torch::kLong)
        sequences[input.key].push_back({ids->second, lengths->second});
    }
  });
  OutputsAndFeatures out{in_record_order(torch::cat(outputs), order),
                         embeds ? in_record_order(torch::cat(features), order) : torch::Tensor(), {}};
  for (auto& [key, parts] : sequences) {  // batches pad to their own longest row: pad to the longest of all
    int64_t width = 0;
    for (const auto& p : parts) width = std::max(width, p.ids.size(1));
    std::vector<torch::Tensor> ids, lengths;
    for (const auto& p : parts) {
      ids.push_back(torch::constant_pad_nd(p.ids, {0, width - p.ids.size(1)}, 0));
      lengths.push_back(p.lengths.to(torch::kLong));
    }
    out.sequences[key] = {in_record_order(torch::cat(ids), order), in_record_order(torch::cat(lengths), order)};
  }
  return out;
}

int64_t Learner::predict_batch_size() const { return kPredictBatchSize; }

torch::Tensor Learner::outputs(const Records& records) {
  return predict_outputs(*model_, *blocks_, transforms_, records, predict_batch_size());
}

std::vector<json> Learner::predict(const Records& records) {
  return blocks_->target().block->decode_batch(outputs(records));
}

}  // namespace adapt
