#pragma once
// DataBlocks: the input blocks and the target block of a recipe, bound to batch keys.
#include <memory>
#include <string>
#include <vector>

#include "adapt/data/block.h"

namespace adapt {

struct BoundBlock {
  std::string key;  // "x" for the first input, "y" for the target
  std::shared_ptr<Block> block;
};

class ADAPT_API DataBlocks {
 public:
  DataBlocks(std::vector<BoundBlock> inputs, BoundBlock target);

  // Fits every block on the training records only.
  void setup(const Records& train);
  // Encodes inputs (and the target unless `with_target` is false, e.g. for prediction).
  Sample encode(const Records& records, size_t row, const EncodeContext& ctx, bool with_target = true) const;
  Batch collate(const std::vector<Sample>& items) const;
  // The inputs of `rows` as collate(encode(...)) gives them, when every input block offers
  // Block::encode_batch; nullopt otherwise.
  std::optional<Batch> encode_batch(const Records& records, const std::vector<size_t>& rows,
                                    const EncodeContext& ctx) const;
  bool random_on_train() const;
  int64_t length(const Records& records, size_t row) const;  // of the first sequence input, or -1

  const std::vector<BoundBlock>& inputs() const { return inputs_; }
  const BoundBlock& target() const { return target_; }
  const Block& input(const std::string& key) const;  // throws listing the keys present
  std::vector<std::string> input_columns() const;

  json state() const;  // every block's learned state, by key
  void load_state(const json& state);

 private:
  std::vector<BoundBlock> inputs_;
  BoundBlock target_;
};

// The keys of `sample` (an item, or a batch) that the block bound to `key` owns ("x", "x.cat"),
// relative to it ("", "cat"): what the block's encode() gave, for its own hooks (parts, show).
ADAPT_API TensorDict owned_keys(const TensorDict& sample, const std::string& key);

}  // namespace adapt
