// The text models and their registration.
#include <torch/torch.h>

#include <cmath>

#include "adapt/model/parameter_budget.h"
#include "awd_lstm.h"
#include "register.h"
#include "transformer_classifier.h"

namespace adapt::text {

TransformerClassifier::TransformerClassifier(const TransformerClassifierOptions& o, int64_t n_outputs,
                                             std::string key)
    : options_(o), key_(std::move(key)) {
  tokens_ = register_module("tokens", torch::nn::Embedding(torch::nn::EmbeddingOptions(o.vocab_size, o.d_model)
                                                               .padding_idx(o.pad_id)));
  positions_ = register_module("positions", torch::nn::Embedding(o.max_len, o.d_model));
  {
    torch::NoGradGuard no_grad;
    tokens_->weight.normal_(0, 0.02);
    tokens_->weight[o.pad_id].zero_();
    positions_->weight.normal_(0, 0.02);
  }
  for (int64_t l = 0; l < o.n_layers; ++l)
    layers_.push_back(register_module(
        "layer" + std::to_string(l),
        TransformerLayer(TransformerLayerOptions{o.d_model, o.n_heads, o.ff_size, o.dropout})));
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d_model})));
  head_ = register_module("head", torch::nn::Linear(o.d_model, n_outputs));
}

torch::Tensor TransformerClassifier::forward(const Batch& batch) { return forward_from_embedding(embed(batch)); }

torch::Tensor TransformerClassifier::forward_from_embedding(const torch::Tensor& embedding) {
  return head_->forward(torch::dropout(embedding, options_.dropout, is_training()));
}

torch::Tensor TransformerClassifier::embed(const Batch& batch) {
  auto ids = get(batch, key_);
  if (ids.size(1) > options_.max_len) ids = ids.narrow(1, 0, options_.max_len);  // the documented cap
  const int64_t steps = ids.size(1);
  auto mask = ids.ne(options_.pad_id);  // true on real tokens
  auto x = tokens_->forward(ids) * std::sqrt(static_cast<double>(options_.d_model)) +
           positions_->forward(torch::arange(steps, ids.options())).unsqueeze(0);
  x = torch::dropout(x, options_.dropout, is_training());  // [B,T,d]
  const auto bias = attention_bias(mask, x.scalar_type());
  for (auto& layer : layers_) x = layer->forward(x, bias);
  x = norm_->forward(x);
  auto m = mask.unsqueeze(2).to(x.dtype());
  return (x * m).sum(1) / m.sum(1).clamp_min(1.0);
}

std::vector<std::vector<torch::Tensor>> TransformerClassifier::encoder_layer_groups() {
  auto groups = layer_groups();
  groups.back() = norm_->parameters();
  return groups;
}

std::vector<std::vector<torch::Tensor>> TransformerClassifier::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups;
  auto embeddings = tokens_->parameters();
  for (auto& p : positions_->parameters()) embeddings.push_back(p);
  groups.push_back(embeddings);
  for (auto& layer : layers_) groups.push_back(layer->parameters());
  auto head = norm_->parameters();
  for (auto& p : head_->parameters()) head.push_back(p);
  groups.push_back(head);
  return groups;
}

namespace {

int64_t dim(const json& dims, const char* name, const std::string& key) {
  if (!dims.contains(name) || !dims[name].is_number_integer())
    throw OptionError("model: the input \"" + key + "\" gives no \"" + std::string(name) +
                      "\" in its dims() " + dims.dump() + "; feed a text.tokens or text.lm block to this model");
  return dims[name].get<int64_t>();
}

OptionSchema awd_schema(bool classifier) {
  OptionSchema s{
      OptionSpec("input", OptionType::string, "x", "batch key of the token ids"),
      OptionSpec("emb_size", OptionType::integer, 400, "embedding size (= the last LSTM layer's output)").min(2),
      OptionSpec("hidden_size", OptionType::integer, 1152, "hidden size of the inner LSTM layers").min(2),
      OptionSpec("n_layers", OptionType::integer, 3, "LSTM layers").min(1).max(16),
      OptionSpec("embed_p", OptionType::number, 0.05, "embedding dropout (whole rows)").min(0).max(0.95),
      OptionSpec("input_p", OptionType::number, 0.4, "locked dropout on the embeddings").min(0).max(0.95),
      OptionSpec("hidden_p", OptionType::number, 0.3, "locked dropout between LSTM layers").min(0).max(0.95),
      OptionSpec("weight_p", OptionType::number, 0.5, "DropConnect on recurrent weights").min(0).max(0.95),
      OptionSpec("drop_mult", OptionType::number, 1.0, "multiplies every dropout (fastai's drop_mult)").min(0).max(2),
  };
  if (classifier) {
    s.push_back(OptionSpec("bidirectional", OptionType::boolean, false, "bidirectional LSTM layers"));
    s.push_back(OptionSpec("head_hidden", OptionType::integer_list, json::array({50}), "hidden sizes of the head"));
    s.push_back(OptionSpec("output_p", OptionType::number, 0.4, "dropout before the head's first linear layer")
                    .min(0)
                    .max(0.95));
  } else {
    s.push_back(OptionSpec("output_p", OptionType::number, 0.1, "dropout before the tied decoder").min(0).max(0.95));
  }
  return s;
}

AwdLstmOptions awd_options(const Options& o, const ModelContext& ctx) {
  const auto key = o.string("input");
  const auto dims = ctx.input_dims(key);
  AwdLstmOptions a;
  a.vocab_size = dim(dims, "vocab_size", key);
  a.pad_id = dim(dims, "pad_id", key);
  const double m = o.number("drop_mult");
  a.emb_size = o.integer("emb_size");
  a.hidden_size = o.integer("hidden_size");
  a.n_layers = o.integer("n_layers");
  a.embed_p = std::min(0.95, o.number("embed_p") * m);
  a.input_p = std::min(0.95, o.number("input_p") * m);
  a.hidden_p = std::min(0.95, o.number("hidden_p") * m);
  a.weight_p = std::min(0.95, o.number("weight_p") * m);
  if (o.has("bidirectional")) a.bidirectional = o.boolean("bidirectional");
  const double width = static_cast<double>(std::max(a.emb_size, a.hidden_size));
  const double estimate = (a.bidirectional ? 2 : 1) * static_cast<double>(a.n_layers) * parameters::lstm(width, width) +
                          parameters::embedding(static_cast<double>(a.vocab_size), static_cast<double>(a.emb_size));
  check_parameter_budget(estimate, o, a.hidden_size >= a.emb_size ? "hidden_size" : "emb_size");
  return a;
}

}  // namespace

void register_models(Registry& registry) {
  registry.add_model("text.awd_lstm_classifier",
                     "AWD-LSTM encoder with a concat-pooling head (ULMFiT classifier; part \"encoder\")",
                     awd_schema(true), [](const Options& o, const ModelContext& ctx) {
                       ClassifierHeadOptions head;
                       head.hidden = o.integers("head_hidden");
                       head.output_p = std::min(0.95, o.number("output_p") * o.number("drop_mult"));
                       head.hidden_p = std::min(0.95, 0.1 * o.number("drop_mult"));
                       return std::make_shared<AwdLstmClassifier>(awd_options(o, ctx), head, ctx.n_outputs,
                                                                  o.string("input"));
                     });
  registry.add_model("text.awd_lstm_lm",
                     "AWD-LSTM language model with a decoder tied to the embedding (part \"encoder\")",
                     awd_schema(false), [](const Options& o, const ModelContext& ctx) {
                       auto a = awd_options(o, ctx);
                       if (ctx.n_outputs != a.vocab_size)
                         throw OptionError("model: the language model's target has " + std::to_string(ctx.n_outputs) +
                                           " classes but the input vocabulary has " + std::to_string(a.vocab_size) +
                                           "; use text.lm with the same options for input and target");
                       return std::make_shared<AwdLstmLanguageModel>(
                           a, std::min(0.95, o.number("output_p") * o.number("drop_mult")), o.string("input"));
                     });
  registry.add_model(
      "text.transformer_classifier", "small Transformer encoder with masked mean pooling",
      {OptionSpec("input", OptionType::string, "x", "batch key of the token ids"),
       OptionSpec("d_model", OptionType::integer, 128, "model width").min(8),
       OptionSpec("n_heads", OptionType::integer, 4, "attention heads").min(1),
       OptionSpec("n_layers", OptionType::integer, 2, "encoder layers").min(1).max(24),
       OptionSpec("ff_size", OptionType::integer, 256, "feed-forward width").min(8),
       OptionSpec("dropout", OptionType::number, 0.1, "dropout").min(0).max(0.9),
       OptionSpec("max_len", OptionType::integer, 512, "positions; longer inputs keep their first max_len tokens")
           .min(8)},
      [](const Options& o, const ModelContext& ctx) {
        const auto key = o.string("input");
        const auto dims = ctx.input_dims(key);
        TransformerClassifierOptions t;
        t.vocab_size = dim(dims, "vocab_size", key);
        t.pad_id = dim(dims, "pad_id", key);
        t.d_model = o.integer("d_model");
        t.n_heads = o.integer("n_heads");
        t.n_layers = o.integer("n_layers");
        t.ff_size = o.integer("ff_size");
        t.dropout = o.number("dropout");
        t.max_len = o.integer("max_len");
        const double d = static_cast<double>(t.d_model);
        check_parameter_budget(static_cast<double>(t.n_layers) * parameters::transformer_layer(d, static_cast<double>(t.ff_size)) +
                                   parameters::embedding(static_cast<double>(t.vocab_size + t.max_len), d),
                               o, "d_model");
        return std::make_shared<TransformerClassifier>(t, ctx.n_outputs, key);
      });
}

}  // namespace adapt::text
