#pragma once
// Dataset: the rows of one split bound to fitted blocks. get() encodes one item; the loader adds
// item transforms, batching and threads around it.
#include <memory>
#include <vector>

#include "adapt/data/data_blocks.h"
#include "adapt/data/records.h"

namespace adapt {

class ADAPT_API Dataset {
 public:
  // `rows` index `records`; `blocks` must already be set up (on the training split).
  Dataset(std::shared_ptr<const Records> records, std::vector<size_t> rows, std::shared_ptr<const DataBlocks> blocks,
          Split split, bool with_target = true);

  size_t size() const { return rows_.size(); }
  // Record row index of item `i`.
  size_t row(size_t i) const { return rows_.at(i); }
  const std::vector<size_t>& rows() const { return rows_; }
  Split split() const { return split_; }
  bool with_target() const { return with_target_; }
  const Records& records() const { return *records_; }
  const std::shared_ptr<const Records>& records_ptr() const { return records_; }
  const DataBlocks& blocks() const { return *blocks_; }

  // Encodes item `i` (its inputs, its target unless with_target is false, and "row": an int64 scalar
  // holding the record row). `rng` drives random encoding on the training split.
  Sample get(size_t i, Rng& rng) const;
  // Sequence length of item `i` for bucketing, -1 when the inputs are not sequences.
  int64_t length(size_t i) const { return blocks_->length(*records_, rows_.at(i)); }

 private:
  std::shared_ptr<const Records> records_;
  std::vector<size_t> rows_;
  std::shared_ptr<const DataBlocks> blocks_;
  Split split_;
  bool with_target_;
};

}  // namespace adapt
