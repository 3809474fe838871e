#pragma once
// recsys.ids: the user and item id columns -> "<key>.user" and "<key>.item" int64 rows of the
// embedding tables (one per slot, see IdEncoder). dims() tells models the table sizes.
#include <adapt/data/block.h>

#include "id_encoder.h"

namespace adapt::recsys {

class IdsBlock : public Block {
 public:
  IdsBlock(std::string user_column, std::string item_column, IdEncoderOptions user, IdEncoderOptions item);
  static OptionSchema schema();
  static std::shared_ptr<IdsBlock> create(const Options& options);

  std::vector<std::string> columns() const override { return {user_column_, item_column_}; }
  void setup(const Records& train) override;
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  // The rows' ids straight into two [rows, slots] tensors: prediction's path, no tensor per row.
  std::optional<TensorDict> encode_batch(const Records& records, const std::vector<size_t>& rows,
                                         const EncodeContext& ctx) const override;
  json dims() const override;
  json state() const override;
  void load_state(const json& state) override;
  std::string describe(const Records& records, size_t row) const override;
  // "user U unseen in training" (and/or item) in vocab mode; hashed ids are never unseen.
  std::string unseen(const Records& records, size_t row) const override;
  std::vector<std::string> unseen_batch(const Records& records) const override;
  // Ratings per user and item, and the share of rows whose user or item the training split lacks
  // (cold), for `adapt inspect`.
  json audit(const Records& records, const std::vector<size_t>& rows) const override;
  // Sanity noise: a random user and a random item (IdEncoder::random_id), encoded as encode() does.
  std::vector<std::string> noise_kinds() const override { return {"random ids"}; }
  TensorDict noise(const Records& records, size_t row, const EncodeContext& encode_ctx, const std::string& kind,
                   const NoiseContext& ctx) const override;

  // Explanations: the user and the item, each replaced by the unknown id (row 0 of every table, which
  // id dropout trains), named "user=U" and "item=I".
  std::vector<InputPart> parts(const Records& records, size_t row, const TensorDict& item) const override;
  // show-batch: the user and the item with the table rows they read (0: the unknown id).
  std::string show(const Records& records, size_t row, const TensorDict& item) const override;
  // Report top losses: the training items whose learned vectors (a recsys model's item_vectors) lie
  // nearest this row's item by cosine similarity, the way fastai reads a collaborative model.
  std::string show_learned(const Records& records, size_t row, const std::string& key, Model& model,
                           const std::vector<size_t>& train_rows) const override;

  const IdEncoder& users() const { return users_; }
  const IdEncoder& items() const { return items_; }
  const std::string& user_column() const { return user_column_; }
  const std::string& item_column() const { return item_column_; }

  // Training-time only (not exported): the distinct training items, encoded ([n, item slots]), and
  // how often each was seen, for negative sampling. Empty after load_state.
  const torch::Tensor& train_items() const { return train_items_; }
  const torch::Tensor& train_item_counts() const { return train_item_counts_; }

 private:
  TensorDict encode_ids(const std::string& user_id, const std::string& item_id) const;
  std::string unseen_ids(const std::string& user, const std::string& item) const;
  std::string user_column_, item_column_;
  IdEncoder users_, items_;
  torch::Tensor train_items_, train_item_counts_;
};

}  // namespace adapt::recsys
