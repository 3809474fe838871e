#include "adapt/data/dataset.h"

namespace adapt {

Dataset::Dataset(std::shared_ptr<const Records> records, std::vector<size_t> rows,
                 std::shared_ptr<const DataBlocks> blocks, Split split, bool with_target)
    : records_(std::move(records)), rows_(std::move(rows)), blocks_(std::move(blocks)), split_(split),
      with_target_(with_target) {
  if (!records_) throw Error("Dataset: no records given");
  if (!blocks_) throw Error("Dataset: no blocks given");
  for (size_t row : rows_) {
    if (row >= records_->size()) {
      throw Error("Dataset: row " + std::to_string(row) + " is out of range for records from '" + records_->source() +
                  "' (" + std::to_string(records_->size()) + " rows); the split does not match these records");
    }
  }
}

Sample Dataset::get(size_t i, Rng& rng) const {
  const size_t row = rows_.at(i);
  EncodeContext ctx;
  ctx.split = split_;
  ctx.rng = &rng;
  Sample sample = blocks_->encode(*records_, row, ctx, with_target_);
  sample["row"] = torch::tensor(static_cast<int64_t>(row), torch::kInt64);
  return sample;
}

}  // namespace adapt
