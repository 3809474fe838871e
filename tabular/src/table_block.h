#pragma once
// tabular.table: the input block for a table. Learned on the training rows only:
//   Categorify   category -> code; code 0 means missing, unseen, or rarer than min_freq in train
//   FillMissing  continuous gaps -> the training median, plus a "<col>_na" categorical indicator
//   Normalize    (value - mean) / std with training statistics
//   date parts   a date column -> Year, Month, Week, Day, Dayofweek, ..., Elapsed (fastai's add_datepart)
//   log_names    heavy-tailed continuous columns (capital gains, counts) -> sign(v) * log1p(|v|) first
// A column may be both categorical and continuous (e.g. a count whose exact values matter).
// encode() emits "cat" int64 [n_cat] and "cont" float [n_cont]; the recipe binds them to "x.cat" and
// "x.cont". It is cheap and deterministic, so the core loader encodes the table once and serves
// batches as index gathers.
#include <torch/types.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "adapt/data/block.h"
#include "adapt/plugin/registry.h"

namespace adapt::tabular {

OptionSchema table_block_schema();

class TableBlock : public Block {
 public:
  explicit TableBlock(const Options& options);

  std::vector<std::string> columns() const override;
  void setup(const Records& train) override;
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  std::optional<TensorDict> encode_batch(const Records& records, const std::vector<size_t>& rows,
                                         const EncodeContext& ctx) const override;
  json dims() const override;
  json state() const override;
  void load_state(const json& state) override;
  std::string describe(const Records& records, size_t row) const override;
  // Cardinality of each categorical column and constant columns, for `adapt inspect`.
  json audit(const Records& records, const std::vector<size_t>& rows) const override;
  // Sanity noise: every raw column shuffled on its own across the split's rows (marginals kept,
  // relations to the other columns and the target destroyed).
  std::vector<std::string> noise_kinds() const override { return {"permuted columns"}; }
  TensorDict noise(const Records& records, size_t row, const EncodeContext& encode_ctx, const std::string& kind,
                   const NoiseContext& ctx) const override;

  // Explanations: one part per raw column, named "column=value", taken out as FillMissing would fill
  // it: its categorical codes set to #na# and its continuous features to the training median (with
  // its "_na" flag and date parts, all at once).
  std::vector<InputPart> parts(const Records& records, size_t row, const TensorDict& item) const override;

  // show-batch: the encoded row as the model reads it, one column per feature: categories by their
  // vocabulary entry (#na# for code 0), continuous features as normalised numbers.
  std::string show(const Records& records, size_t row, const TensorDict& item) const override;

  // Encodes `rows` of `records` at once: cat [n, n_cat] int64, cont [n, n_cont] float, and when
  // given, missing [n] bool (every column blank).
  void encode_rows(const Records& records, const std::vector<size_t>& rows, torch::Tensor& cat,
                   torch::Tensor& cont, torch::Tensor* missing = nullptr) const;

  const std::vector<std::string>& cat_names() const { return cat_names_out_; }
  const std::vector<std::string>& cont_names() const { return cont_names_out_; }
  std::vector<int64_t> cardinalities() const;
  // The raw column each feature comes from (a "_na" indicator and date parts map to their column).
  std::vector<std::string> cat_sources() const;
  std::vector<std::string> cont_sources() const;

 private:
  enum class Source { column, date_part, na_flag };
  struct CatFeature {
    std::string name, column;
    Source source = Source::column;
    int part = 0;
    std::vector<std::string> vocab;  // vocab[0] == "#na#"
    std::unordered_map<std::string, int64_t> codes;
    size_t input = 0;  // position of `column` in inputs_
    int date = -1;     // position of `column` in dates_, or -1
  };
  struct ContFeature {
    std::string name, column;
    Source source = Source::column;
    int part = 0;
    double median = 0, mean = 0, std = 1;
    bool log = false;  // sign(v) * log1p(|v|) before filling and normalising
    size_t input = 0;
    int date = -1;
  };
  struct ColumnIndex;  // column positions for one Records, resolved once per call

  ColumnIndex resolve(const Records& records) const;
  // One encoded row whose raw column i (inputs_[i]) is read from record from[i].
  void encode_row(const Records& records, const ColumnIndex& index, const std::vector<size_t>& from, int64_t* cat,
                  float* cont) const;
  TensorDict encode_from(const Records& records, const ColumnIndex& index, const std::vector<size_t>& from) const;
  // Whether every raw column read from `from` is blank: the row is missing (core.fusion predicts it
  // from its other inputs).
  bool blank_row(const Records& records, const ColumnIndex& index, const std::vector<size_t>& from) const;
  void build_features(const Records& train);
  void rebuild_codes();
  void require_fitted(const char* what) const;

  // options
  std::vector<std::string> cat_names_, cont_names_, date_names_, exclude_, missing_, log_names_;
  int64_t max_card_, min_freq_;
  bool add_na_, normalize_;
  // learned
  bool fitted_ = false;
  std::vector<CatFeature> cats_;
  std::vector<ContFeature> conts_;
  std::vector<std::string> cat_names_out_, cont_names_out_;
  std::vector<std::string> dates_;  // date columns in use
  std::vector<std::string> inputs_;  // every raw column read, in order
  std::vector<size_t> date_inputs_;  // per dates_ entry: its position in inputs_
};

// fastai's emb_sz_rule: min(600, round(1.6 * n^0.56)).
int64_t embedding_size_rule(int64_t cardinality);

}  // namespace adapt::tabular
