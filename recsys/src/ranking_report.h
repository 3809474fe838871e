#pragma once
// recsys.ranking: HR@k, recall@k, NDCG@k and MAP@k of the trained model on the held-out split, ranking
// ALL items (every distinct item in the data) for each user with the items already seen in training
// (and in validation, when evaluating the test part) excluded. The most-popular baseline is scored on
// the same users beside it, and the top recommendations of one user are printed.
#include <adapt/model/model.h>
#include <adapt/report/report.h>

#include "ids_block.h"

namespace adapt::recsys {

struct RankingOptions {
  std::vector<int64_t> ks = {10};
  std::string split = "auto";  // auto (test when present, else valid), valid, test
  int64_t max_users = 0;       // 0: every user of the split; else a seeded sample
  uint64_t seed = 0;
  int64_t chunk = 1 << 16;     // items scored per forward pass
  int64_t show = 10;           // recommendations printed for one example user (0: none)
};

// Ranks items for the users of `eval_rows`; `seen_rows` hold the excluded history. The model reads
// batch keys "<input>.user" / "<input>.item". Returns {"users", "items", "model": {...},
// "most_popular": {...}, "example": {"user", "top": [...]}}.
json evaluate_ranking(Model& model, const IdsBlock& ids, const std::string& input, const Records& records,
                      const std::vector<size_t>& train_rows, const std::vector<size_t>& seen_rows,
                      const std::vector<size_t>& eval_rows, const RankingOptions& options);

class RankingReport : public Report {
 public:
  explicit RankingReport(RankingOptions options) : options_(std::move(options)) {}
  static OptionSchema schema();
  static std::shared_ptr<RankingReport> create(const Options& options);
  json run(const ReportContext& ctx) const override;

 private:
  RankingOptions options_;
};

}  // namespace adapt::recsys
