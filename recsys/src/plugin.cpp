// The recsys plugin: registers every component under "recsys.".
#include <adapt/plugin.h>

#include "bias_baseline.h"
#include "id_dropout.h"
#include "ids_block.h"
#include "implicit_target.h"
#include "interactions_reader.h"
#include "leave_last_out.h"
#include "models.h"
#include "negative_sampling.h"
#include "ranking_report.h"
#include "rating_target.h"
#include "synthetic_demo.h"
#include "temporal_split.h"

namespace {

using namespace adapt;
using namespace adapt::recsys;

void register_recsys(Registry& registry) {
  registry.add_reader("recsys.interactions",
                      "user/item interactions: CSV with header, TSV, MovieLens ratings.csv, u.data, ratings.dat",
                      InteractionsReader::schema(), [](const Options& o) {
                        return std::make_shared<InteractionsReader>(InteractionsReader::from_options(o));
                      });
  registry.add_splitter("recsys.leave_last_out", "per user, the latest interactions go to valid (and test)",
                        LeaveLastOut::schema(), [](const Options& o) {
                          return std::make_shared<LeaveLastOut>(o.string("user_column"), o.string("timestamp_column"),
                                                                o.integer("n_valid"), o.integer("n_test"),
                                                                o.integer("min_train"));
                        });
  registry.add_splitter("recsys.temporal", "a global time cut-off: the latest interactions go to valid (and test)",
                        TemporalSplit::schema(), [](const Options& o) { return TemporalSplit::create(o); });
  registry.add_block("recsys.ids", "user and item ids -> embedding rows (vocabulary, hashing or quotient-remainder)",
                     IdsBlock::schema(), [](const Options& o) { return IdsBlock::create(o); });
  registry.add_block("recsys.rating", "explicit rating target (MSE), clamped to the scale when decoding",
                     RatingTarget::schema(), [](const Options& o) { return RatingTarget::create(o); });
  registry.add_block("recsys.implicit", "implicit-feedback target (BCE with logits); pair with negative sampling",
                     ImplicitTarget::schema(), [](const Options& o) {
                       return std::make_shared<ImplicitTarget>(o.string("column"), o.number("threshold"));
                     });
  registry.add_transform("recsys.id_dropout", "replaces ids by the unknown id at a rate (teaches cold start)",
                         IdDropout::schema(), [](const Options& o) { return IdDropout::create(o); });
  registry.add_transform("recsys.negative_sampling", "appends sampled negative items (uniform or by popularity)",
                         NegativeSampling::schema(), [](const Options& o) { return NegativeSampling::create(o); });
  registry.add_model("recsys.dot_bias", "fastai's EmbeddingDotBias: dot product + biases, sigmoid_range",
                     DotBiasModel::schema(), [](const Options& o, const ModelContext& ctx) {
                       return std::make_shared<DotBiasModel>(o, ctx);
                     });
  registry.add_model("recsys.ncf", "neural collaborative filtering: embeddings and an MLP", NeuralCFModel::schema(),
                     [](const Options& o, const ModelContext& ctx) { return std::make_shared<NeuralCFModel>(o, ctx); });
  registry.add_model("recsys.two_tower", "two-tower retrieval model for implicit feedback", TwoTowerModel::schema(),
                     [](const Options& o, const ModelContext& ctx) { return std::make_shared<TwoTowerModel>(o, ctx); });
  registry.add_baseline("recsys.biases", "global mean + regularised user and item biases", BiasBaseline::schema(),
                        [](const Options& o) {
                          return std::make_shared<BiasBaseline>(o.number("reg_user"), o.number("reg_item"),
                                                                o.integer("iterations"));
                        });
  registry.add_baseline("recsys.most_popular", "scores items by training popularity", MostPopularBaseline::schema(),
                        [](const Options&) { return std::make_shared<MostPopularBaseline>(); });
  registry.add_report("recsys.ranking", "HR/recall/NDCG/MAP@k over all items, seen items excluded",
                      RankingReport::schema(), [](const Options& o) { return RankingReport::create(o); });
  registry.add_demo("recsys.demo", "synthetic ratings with ~1M hashed item ids", SyntheticDemo::schema(),
                    [](const Options& o) { return SyntheticDemo::create(o); });
}

}  // namespace

ADAPT_PLUGIN("recsys", "0.1.0", "MIT", "Recommender systems: ids, factorisation models, ranking", register_recsys)
