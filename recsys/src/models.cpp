#include "models.h"

#include <torch/torch.h>

#include <adapt/data/data_blocks.h>
#include <adapt/model/parameter_budget.h>

#include <memory>

#include "register.h"

namespace adapt::recsys {

namespace {

OptionSchema common_schema() {
  return {
      OptionSpec("input", OptionType::string, "x", "batch key of the recsys.ids block"),
      OptionSpec("y_range", OptionType::number_list, json::array(),
                 "[low, high]: squash outputs with sigmoid_range (fastai uses [0, 5.5] for 0.5-5 ratings); "
                 "empty: raw outputs"),
      OptionSpec("sparse", OptionType::boolean, true,
                 "sparse embedding gradients: optimizer steps touch only the rows in the batch"),
      OptionSpec("init_std", OptionType::number, 0.01, "embedding init: normal(0, init_std)").greater_than(0),
  };
}

OptionSchema with(OptionSchema base, const OptionSchema& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

torch::nn::Sequential make_mlp(int64_t in, const std::vector<int64_t>& layers, int64_t out, double dropout) {
  torch::nn::Sequential mlp;
  for (int64_t width : layers) {
    mlp->push_back(torch::nn::Linear(in, width));
    mlp->push_back(torch::nn::ReLU());
    if (dropout > 0) mlp->push_back(torch::nn::Dropout(dropout));
    in = width;
  }
  mlp->push_back(torch::nn::Linear(in, out));
  return mlp;
}

const torch::Tensor& ids(const Batch& batch, const std::string& key) {
  const torch::Tensor& t = get(batch, key);
  TORCH_CHECK(t.scalar_type() == torch::kInt64, "recsys model: ", key, " must be int64 ids, got ", t.scalar_type());
  return t;
}

}  // namespace

RecsysModel::RecsysModel(const Options& options, const ModelContext& ctx) {
  const std::string input = options.string("input");
  const json dims = ctx.input_dims(input);
  user_tables_ = IdTables::from_dims(dims.value("user", json()), "users");
  item_tables_ = IdTables::from_dims(dims.value("item", json()), "items");
  user_key_ = input + ".user";
  item_key_ = input + ".item";
  const auto range = options.numbers("y_range");
  if (!range.empty()) {
    if (range.size() != 2 || !(range[0] < range[1])) {
      throw options.error("y_range", "give [low, high] with low < high, or [] for none");
    }
    y_range_ = std::make_pair(range[0], range[1]);
  }
  sparse_ = options.boolean("sparse");
  if (ctx.n_outputs != 1) {
    throw options.error("input", "recsys models predict one value per (user, item), but the target needs " +
                                     std::to_string(ctx.n_outputs) + " outputs; use recsys.rating or recsys.implicit");
  }
}

void RecsysModel::check_budget(const Options& options, double row_width, double dense) const {
  const double rows = static_cast<double>(user_tables_.total_rows() + item_tables_.total_rows());
  check_parameter_budget(parameters::embedding(rows, row_width) + dense, options, "n_factors");
}

torch::Tensor RecsysModel::squash(const torch::Tensor& x) const {
  return y_range_ ? sigmoid_range(x, y_range_->first, y_range_->second) : x;
}

// ---- dot bias ---------------------------------------------------------------------------------

OptionSchema DotBiasModel::schema() {
  return with(common_schema(),
              {OptionSpec("n_factors", OptionType::integer, 50, "latent factors").min(1),
               OptionSpec("item_features", OptionType::string_list, json::array(),
                          "keys of inputs that describe the item with float features (core.multi_category's "
                          "genres, core.regression's numbers): a learned linear map of them is added to the "
                          "item's factors and bias (LightFM), which helps items with few ratings")});
}

DotBiasModel::DotBiasModel(const Options& options, const ModelContext& ctx) : RecsysModel(options, ctx) {
  const int64_t n = options.integer("n_factors");
  const double std = options.number("init_std");
  check_budget(options, static_cast<double>(n + 1), 0);
  n_factors_ = n;
  user_factors_ = register_module("user_factors", IdEmbedding(user_tables_, n, sparse_, std));
  item_factors_ = register_module("item_factors", IdEmbedding(item_tables_, n, sparse_, std));
  user_bias_ = register_module("user_bias", IdEmbedding(user_tables_, 1, sparse_, std));
  item_bias_ = register_module("item_bias", IdEmbedding(item_tables_, 1, sparse_, std));
  item_features_ = options.strings("item_features");
  int64_t width = 0;
  for (const auto& key : item_features_) {
    const json dims = ctx.input_dims(key);
    const int64_t n_features = dims.value("n_features", int64_t{0});
    if (n_features < 1)
      throw options.error("item_features", "input \"" + key + "\" gives no float features (its dims are " + dims.dump() +
                                               "); name inputs such as core.multi_category or core.regression");
    width += n_features;
  }
  if (width > 0) {
    item_content_ = register_module("item_content", torch::nn::Linear(torch::nn::LinearOptions(width, n + 1).bias(false)));
    torch::NoGradGuard no_grad;
    item_content_->weight.normal_(0, std);
  }
}

std::pair<torch::Tensor, torch::Tensor> DotBiasModel::item_representation(const Batch& batch) {
  const torch::Tensor& i = ids(batch, item_key());
  torch::Tensor factors = item_factors_(i), bias = item_bias_(i);
  if (!item_content_) return {factors, bias};
  std::vector<torch::Tensor> features;
  for (const auto& key : item_features_) features.push_back(get(batch, key).to(torch::kFloat).reshape({i.size(0), -1}));
  const torch::Tensor content = item_content_(torch::cat(features, 1));
  return {factors + content.narrow(1, 0, n_factors_), bias + content.narrow(1, n_factors_, 1)};
}

torch::Tensor DotBiasModel::forward(const Batch& batch) {
  const torch::Tensor& u = ids(batch, user_key());
  const auto [item_factors, item_bias] = item_representation(batch);
  torch::Tensor dot = (user_factors_(u) * item_factors).sum(1, /*keepdim=*/true);
  return squash(dot + user_bias_(u) + item_bias);
}

torch::Tensor DotBiasModel::embed(const Batch& batch) {
  const torch::Tensor& u = ids(batch, user_key());
  const auto [item_factors, item_bias] = item_representation(batch);
  return torch::cat({user_factors_(u) * item_factors, user_bias_(u), item_bias}, 1);
}

torch::Tensor DotBiasModel::forward_from_embedding(const torch::Tensor& embedding) {
  const torch::Tensor dot = embedding.narrow(1, 0, n_factors_).sum(1, /*keepdim=*/true);
  return squash(dot + embedding.narrow(1, n_factors_, 1) + embedding.narrow(1, n_factors_ + 1, 1));
}

// Sides carry the factors plus the bias as the last column.
torch::Tensor DotBiasModel::user_side(const torch::Tensor& u) { return torch::cat({user_factors_(u), user_bias_(u)}, 1); }
torch::Tensor DotBiasModel::item_vectors(const torch::Tensor& i) { return item_factors_(i); }
torch::Tensor DotBiasModel::item_side(const torch::Tensor& i) {
  if (item_content_)
    throw Error("recsys.dot_bias with item_features scores an item from its features too, which its id alone "
                "does not give: rank with a model without item_features (recsys.ranking)");
  return torch::cat({item_factors_(i), item_bias_(i)}, 1);
}
torch::Tensor DotBiasModel::score(const torch::Tensor& u, const torch::Tensor& i) {
  const int64_t n = u.size(1) - 1;
  torch::Tensor dot = torch::mm(u.narrow(1, 0, n), i.narrow(1, 0, n).t());
  return squash(dot + u.narrow(1, n, 1) + i.narrow(1, n, 1).t());
}

// ---- neural CF --------------------------------------------------------------------------------

OptionSchema NeuralCFModel::schema() {
  return with(common_schema(), {
                                   OptionSpec("n_factors", OptionType::integer, 32, "embedding size per side").min(1),
                                   OptionSpec("layers", OptionType::integer_list, json::array({64, 32}),
                                              "hidden layer widths of the MLP")
                                       .min(1),
                                   OptionSpec("dropout", OptionType::number, 0.0, "dropout after each hidden layer")
                                       .min(0)
                                       .max(0.99),
                               });
}

NeuralCFModel::NeuralCFModel(const Options& options, const ModelContext& ctx) : RecsysModel(options, ctx) {
  const int64_t n = options.integer("n_factors");
  const double std = options.number("init_std");
  check_budget(options, static_cast<double>(n), parameters::mlp(2.0 * static_cast<double>(n), options.integers("layers"), 1));
  n_factors_ = n;
  users_ = register_module("users", IdEmbedding(user_tables_, n, sparse_, std));
  items_ = register_module("items", IdEmbedding(item_tables_, n, sparse_, std));
  mlp_ = register_module("mlp", make_mlp(2 * n, options.integers("layers"), 1, options.number("dropout")));
}

torch::Tensor NeuralCFModel::forward(const Batch& batch) { return forward_from_embedding(embed(batch)); }

torch::Tensor NeuralCFModel::forward_from_embedding(const torch::Tensor& embedding) { return squash(mlp_->forward(embedding)); }

torch::Tensor NeuralCFModel::embed(const Batch& batch) {
  return torch::cat({users_(ids(batch, user_key())), items_(ids(batch, item_key()))}, 1);
}

torch::Tensor NeuralCFModel::item_vectors(const torch::Tensor& i) { return items_(i); }

std::vector<std::vector<torch::Tensor>> NeuralCFModel::layer_groups() {
  std::vector<torch::Tensor> embeddings = users_->parameters();
  for (auto& p : items_->parameters()) embeddings.push_back(p);
  return {embeddings, mlp_->parameters()};
}

// ---- two tower --------------------------------------------------------------------------------

OptionSchema TwoTowerModel::schema() {
  return with(common_schema(),
              {
                  OptionSpec("n_factors", OptionType::integer, 32, "embedding size per side").min(1),
                  OptionSpec("layers", OptionType::integer_list, json::array({64}), "hidden widths of each tower")
                      .min(1),
                  OptionSpec("out_dim", OptionType::integer, 32, "size of the tower outputs").min(1),
                  OptionSpec("normalize", OptionType::boolean, false, "L2-normalise tower outputs (cosine score)"),
                  OptionSpec("temperature", OptionType::number, 1.0, "scores are divided by it").greater_than(0),
                  OptionSpec("item_bias", OptionType::boolean, true, "add a learned per-item bias (popularity)"),
              });
}

TwoTowerModel::TwoTowerModel(const Options& options, const ModelContext& ctx)
    : RecsysModel(options, ctx),
      normalize_(options.boolean("normalize")),
      temperature_(options.number("temperature")) {
  const int64_t n = options.integer("n_factors");
  const double std = options.number("init_std");
  const auto layers = options.integers("layers");
  const int64_t out = options.integer("out_dim");
  out_dim_ = out;
  check_budget(options, static_cast<double>(n + 1),
               2 * parameters::mlp(static_cast<double>(n), layers, static_cast<double>(out)));
  users_ = register_module("users", IdEmbedding(user_tables_, n, sparse_, std));
  items_ = register_module("items", IdEmbedding(item_tables_, n, sparse_, std));
  if (options.boolean("item_bias")) item_bias_ = register_module("item_bias", IdEmbedding(item_tables_, 1, sparse_, std));
  user_tower_ = register_module("user_tower", make_mlp(n, layers, out, 0.0));
  item_tower_ = register_module("item_tower", make_mlp(n, layers, out, 0.0));
}

torch::Tensor TwoTowerModel::user_vectors(const torch::Tensor& user_ids) {
  torch::Tensor v = user_tower_->forward(users_(user_ids));
  return normalize_ ? torch::nn::functional::normalize(v, torch::nn::functional::NormalizeFuncOptions().dim(1)) : v;
}

torch::Tensor TwoTowerModel::item_vectors(const torch::Tensor& item_ids) {
  torch::Tensor v = item_tower_->forward(items_(item_ids));
  return normalize_ ? torch::nn::functional::normalize(v, torch::nn::functional::NormalizeFuncOptions().dim(1)) : v;
}

torch::Tensor TwoTowerModel::forward(const Batch& batch) {
  const torch::Tensor& i = ids(batch, item_key());
  torch::Tensor score = (user_vectors(ids(batch, user_key())) * item_vectors(i)).sum(1, true) / temperature_;
  if (item_bias_) score = score + item_bias_(i);
  return squash(score);
}

torch::Tensor TwoTowerModel::embed(const Batch& batch) {
  const torch::Tensor& i = ids(batch, item_key());
  torch::Tensor product = user_vectors(ids(batch, user_key())) * item_vectors(i) / temperature_;
  return item_bias_ ? torch::cat({product, item_bias_(i)}, 1) : product;
}

torch::Tensor TwoTowerModel::user_side(const torch::Tensor& u) { return user_vectors(u); }
torch::Tensor TwoTowerModel::item_side(const torch::Tensor& i) {
  torch::Tensor bias = item_bias_ ? item_bias_(i) : torch::zeros({i.size(0), 1});
  return torch::cat({item_vectors(i), bias}, 1);
}
torch::Tensor TwoTowerModel::score(const torch::Tensor& u, const torch::Tensor& i) {
  const int64_t n = u.size(1);
  return squash(torch::mm(u, i.narrow(1, 0, n).t()) / temperature_ + i.narrow(1, n, 1).t());
}

void register_models(Registry& registry) {
  registry.add_model("recsys.dot_bias", "fastai's EmbeddingDotBias: dot product + biases, sigmoid_range",
                     DotBiasModel::schema(), [](const Options& o, const ModelContext& ctx) {
                       return std::make_shared<DotBiasModel>(o, ctx);
                     });
  registry.add_model("recsys.ncf", "neural collaborative filtering: embeddings and an MLP", NeuralCFModel::schema(),
                     [](const Options& o, const ModelContext& ctx) { return std::make_shared<NeuralCFModel>(o, ctx); });
  registry.add_model("recsys.two_tower", "two-tower retrieval model for implicit feedback", TwoTowerModel::schema(),
                     [](const Options& o, const ModelContext& ctx) { return std::make_shared<TwoTowerModel>(o, ctx); });
}

}  // namespace adapt::recsys
