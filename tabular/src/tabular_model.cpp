#include "tabular_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>

#include <algorithm>

#include <adapt/model/parameter_budget.h>

#include "concat_embeddings.h"
#include "register.h"

namespace adapt::tabular {

OptionSchema tabular_model_schema() {
  return {
      OptionSpec("input", OptionType::string, "x", "batch key of the tabular.table block (reads <input>.cat/.cont)"),
      OptionSpec("layers", OptionType::integer_list, json::array({200, 100}), "hidden layer widths").min(1),
      OptionSpec("ps", OptionType::number_list, json::array(),
                 "dropout after each hidden layer: empty for none, one value for every layer")
          .min(0)
          .max(0.99),
      OptionSpec("embed_p", OptionType::number, 0.0, "dropout on the concatenated embeddings").min(0).max(0.99),
      OptionSpec("y_range", OptionType::number_list, json::array(),
                 "[low, high]: regression output low + (high - low) * sigmoid(x); empty for none"),
      OptionSpec("use_bn", OptionType::boolean, true, "BatchNorm after each hidden layer's ReLU"),
      OptionSpec("bn_final", OptionType::boolean, false, "BatchNorm on the output"),
      OptionSpec("bn_cont", OptionType::boolean, true, "BatchNorm on the continuous inputs"),
      OptionSpec("embedding_sizes", OptionType::object, json::object(),
                 "override widths by categorical feature name, e.g. {\"workclass\": 8}"),
  };
}

TabularModel::TabularModel(std::vector<int64_t> cardinalities, std::vector<int64_t> embedding_sizes, int64_t n_cont,
                           int64_t n_outputs, TabularModelOptions options)
    : options_(std::move(options)), n_cat_(static_cast<int64_t>(cardinalities.size())), n_cont_(n_cont) {
  embeds_ = register_module("embeds", torch::nn::ModuleList());
  int64_t n_emb = 0;
  for (size_t i = 0; i < cardinalities.size(); ++i) {
    torch::nn::Embedding embedding(cardinalities[i], embedding_sizes[i]);
    // fastai: trunc_normal_(std=0.01) keeps early activations small.
    torch::NoGradGuard no_grad;
    embedding->weight.normal_(0.0, 0.01).clamp_(-0.02, 0.02);
    embeds_->push_back(embedding);
    embeddings_.push_back(embedding);
    n_emb += embedding_sizes[i];
  }
  emb_drop_ = register_module("emb_drop", torch::nn::Dropout(options_.embed_p));
  if (options_.bn_cont && n_cont_ > 0) bn_cont_ = register_module("bn_cont", torch::nn::BatchNorm1d(n_cont_));

  layers_ = register_module("layers", torch::nn::Sequential());
  int64_t width = n_emb + n_cont_;
  for (size_t i = 0; i < options_.layers.size(); ++i) {
    const int64_t out = options_.layers[i];
    // fastai's LinBnDrop(lin_first=True): Linear (no bias before BN), ReLU, BatchNorm, Dropout.
    layers_->push_back(torch::nn::Linear(torch::nn::LinearOptions(width, out).bias(!options_.use_bn)));
    layers_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
    if (options_.use_bn) layers_->push_back(torch::nn::BatchNorm1d(out));
    const double p = options_.ps.empty() ? 0.0 : options_.ps.size() == 1 ? options_.ps[0] : options_.ps[i];
    if (p > 0) layers_->push_back(torch::nn::Dropout(p));
    width = out;
  }
  embedding_width_ = width;
  head_ = register_module("head", torch::nn::Linear(torch::nn::LinearOptions(width, n_outputs).bias(!options_.bn_final)));
  if (options_.bn_final) bn_final_ = register_module("bn_final", torch::nn::BatchNorm1d(n_outputs));
}

torch::Tensor TabularModel::forward(const Batch& batch) { return forward_from_embedding(embed(batch)); }

torch::Tensor TabularModel::forward_from_embedding(const torch::Tensor& embedding) {
  torch::Tensor x = head_->forward(embedding);
  if (bn_final_) x = bn_final_->forward(x);
  if (options_.y_range) {
    const auto [low, high] = *options_.y_range;
    x = torch::sigmoid(x) * (high - low) + low;
  }
  return x;
}

torch::Tensor TabularModel::embed(const Batch& batch) {
  std::vector<torch::Tensor> parts;
  if (n_cat_ > 0) {
    const torch::Tensor& cat = get(batch, options_.input + ".cat");
    std::vector<torch::Tensor> tables;
    for (const auto& e : embeddings_) tables.push_back(e->weight);
    torch::Tensor embedded;
    if (concat_embeddings_applies(tables)) {
      embedded = concat_embeddings(cat, tables);
    } else {
      std::vector<torch::Tensor> columns;
      for (int64_t i = 0; i < n_cat_; ++i) columns.push_back(embeddings_[i]->forward(cat.select(1, i)));
      embedded = torch::cat(columns, 1);
    }
    parts.push_back(emb_drop_->forward(embedded));
  }
  if (n_cont_ > 0) {
    torch::Tensor cont = get(batch, options_.input + ".cont");
    if (bn_cont_) cont = bn_cont_->forward(cont);
    parts.push_back(cont);
  }
  return layers_->forward(parts.size() == 1 ? parts[0] : torch::cat(parts, 1));
}

std::vector<std::vector<torch::Tensor>> TabularModel::layer_groups() {
  std::vector<torch::Tensor> body, head;
  for (const auto& p : named_parameters()) {
    const bool is_head = p.key().rfind("head.", 0) == 0 || p.key().rfind("bn_final.", 0) == 0;
    (is_head ? head : body).push_back(p.value());
  }
  return {body, head};
}

std::shared_ptr<Model> make_tabular_model(const Options& options, const ModelContext& ctx) {
  TabularModelOptions o;
  o.input = options.string("input");
  o.layers = options.integers("layers");
  o.ps = options.numbers("ps");
  o.embed_p = options.number("embed_p");
  o.use_bn = options.boolean("use_bn");
  o.bn_final = options.boolean("bn_final");
  o.bn_cont = options.boolean("bn_cont");
  if (!o.ps.empty() && o.ps.size() != 1 && o.ps.size() != o.layers.size()) {
    throw options.error("ps", fmt::format("give one dropout per hidden layer ({}) or a single value, got {}",
                                          o.layers.size(), o.ps.size()));
  }
  const auto y_range = options.numbers("y_range");
  if (!y_range.empty()) {
    if (y_range.size() != 2 || !(y_range[0] < y_range[1])) {
      throw options.error("y_range", "must be [low, high] with low < high, got " + options.raw("y_range").dump());
    }
    o.y_range = std::make_pair(y_range[0], y_range[1]);
  }
  const json dims = ctx.input_dims(o.input);
  if (!dims.contains("cardinalities") || !dims.contains("n_cont")) {
    throw options.error("input", fmt::format("the block at batch key '{}' is not a tabular.table block (its dims "
                                             "are {}); bind tabular.table to that key or set input",
                                             o.input, dims.dump()));
  }
  auto cardinalities = dims.at("cardinalities").get<std::vector<int64_t>>();
  auto sizes = dims.at("embedding_sizes").get<std::vector<int64_t>>();
  const auto names = dims.at("cat_names").get<std::vector<std::string>>();
  const json& overrides = options.raw("embedding_sizes");
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    auto found = std::find(names.begin(), names.end(), it.key());
    if (found == names.end()) {
      throw options.error("embedding_sizes", fmt::format("'{}' is not a categorical feature (they are: {})",
                                                         it.key(), fmt::join(names, ", ")));
    }
    if (!it.value().is_number_integer() || it.value().get<int64_t>() < 1) {
      throw options.error("embedding_sizes", fmt::format("'{}' must be a positive integer, got {}", it.key(),
                                                         it.value().dump()));
    }
    sizes[found - names.begin()] = it.value().get<int64_t>();
  }
  if (cardinalities.empty() && dims.at("n_cont").get<int64_t>() == 0) {
    throw options.error("input", "the table has no input columns; declare cat_names or cont_names in tabular.table");
  }
  double width = static_cast<double>(dims.at("n_cont").get<int64_t>()), tables = 0;
  for (size_t i = 0; i < cardinalities.size(); ++i) {
    tables += parameters::embedding(static_cast<double>(cardinalities[i]), static_cast<double>(sizes[i]));
    width += static_cast<double>(sizes[i]);
  }
  const double dense = parameters::mlp(width, o.layers, static_cast<double>(ctx.n_outputs));
  check_parameter_budget(tables + dense, options, tables > dense ? "embedding_sizes" : "layers");
  return std::make_shared<TabularModel>(std::move(cardinalities), std::move(sizes), dims.at("n_cont").get<int64_t>(),
                                        ctx.n_outputs, std::move(o));
}

void register_models(Registry& registry) {
  registry.add_model("tabular.model", "fastai's TabularModel: embeddings + continuous -> Linear-ReLU-BN-Dropout",
                     tabular_model_schema(), make_tabular_model);
}

}  // namespace adapt::tabular
