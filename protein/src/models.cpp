// The protein models (models.h) and their registration.
#include "models.h"

#include <cmath>

#include "adapt/data/data_blocks.h"
#include "adapt/model/parameter_budget.h"
#include "register.h"

namespace adapt::protein {

torch::Tensor residue_mask(const torch::Tensor& ids, const TokenIds& t) {
  return ids.ne(t.pad_id).logical_and(ids.ne(t.cls_id)).logical_and(ids.ne(t.eos_id));
}

torch::Tensor masked_mean(const torch::Tensor& x, const torch::Tensor& mask) {
  auto m = mask.unsqueeze(2).to(x.dtype());
  return (x * m).sum(1) / m.sum(1).clamp_min(1.0);
}

// --- CNN ----------------------------------------------------------------------------------------

ResidualConvImpl::ResidualConvImpl(int64_t channels, int64_t kernel_size, int64_t dilation) {
  norm1_w_ = register_parameter("norm1_weight", torch::ones({channels}));
  norm1_b_ = register_parameter("norm1_bias", torch::zeros({channels}));
  norm2_w_ = register_parameter("norm2_weight", torch::ones({channels}));
  norm2_b_ = register_parameter("norm2_bias", torch::zeros({channels}));
  dilated_ = TimeConv(register_module("dilated", torch::nn::Conv1d(torch::nn::Conv1dOptions(channels, channels, kernel_size)
                                                                        .dilation(dilation)
                                                                        .padding(dilation * (kernel_size - 1) / 2))));
  pointwise_ = TimeConv(register_module("pointwise", torch::nn::Conv1d(torch::nn::Conv1dOptions(channels, channels, 1))));
}

torch::Tensor ResidualConvImpl::forward(const torch::Tensor& x, const torch::Tensor& keep) {
  auto h = torch::relu(channel_norm(x, norm1_w_, norm1_b_));
  h = dilated_(h * keep);
  h = torch::relu(channel_norm(h, norm2_w_, norm2_b_));
  h = pointwise_(h);
  return (x + h) * keep;
}

CnnEncoderImpl::CnnEncoderImpl(const TokenIds& ids, const CnnOptions& o) {
  embedding_ = register_module(
      "embedding", torch::nn::Embedding(torch::nn::EmbeddingOptions(ids.vocab_size, o.emb_dim).padding_idx(ids.pad_id)));
  conv_in_ = TimeConv(register_module(
      "conv_in", torch::nn::Conv1d(torch::nn::Conv1dOptions(o.emb_dim, o.channels, o.kernel_size).padding((o.kernel_size - 1) / 2))));
  for (size_t i = 0; i < o.dilations.size(); ++i)
    blocks.push_back(register_module("block" + std::to_string(i), ResidualConv(o.channels, o.kernel_size, o.dilations[i])));
  norm_w_ = register_parameter("norm_weight", torch::ones({o.channels}));
  norm_b_ = register_parameter("norm_bias", torch::zeros({o.channels}));
}

torch::Tensor CnnEncoderImpl::forward(const torch::Tensor& ids, const torch::Tensor& mask) {
  auto keep = mask.unsqueeze(2).to(torch::kFloat);                                    // [B,T,1]
  auto x = conv_in_(embedding_->forward(ids)) * keep;  // [B,T,C]
  for (auto& block : blocks) x = block->forward(x, keep);
  return torch::relu(channel_norm(x, norm_w_, norm_b_)) * keep;
}

std::vector<torch::Tensor> CnnEncoderImpl::embedding_parameters() {
  auto p = embedding_->parameters();
  for (auto& q : conv_in_.conv()->parameters()) p.push_back(q);
  return p;
}

// --- Transformer --------------------------------------------------------------------------------

TransformerEncoderImpl::TransformerEncoderImpl(const TokenIds& ids, const TransformerOptions& o)
    : ids_(ids), dropout_(o.dropout) {
  if (o.d_model % o.n_heads != 0)
    throw OptionError("model.d_model: must be a multiple of n_heads (" + std::to_string(o.n_heads) + "), got " +
                      std::to_string(o.d_model));
  tokens = register_module(
      "tokens", torch::nn::Embedding(torch::nn::EmbeddingOptions(ids.vocab_size, o.d_model).padding_idx(ids.pad_id)));
  positions_ = register_module("positions", torch::nn::Embedding(ids.max_len, o.d_model));
  {
    torch::NoGradGuard no_grad;
    tokens->weight.normal_(0, 0.02);
    tokens->weight[ids.pad_id].zero_();
    positions_->weight.normal_(0, 0.02);
  }
  for (int64_t l = 0; l < o.n_layers; ++l)
    layers.push_back(register_module("layer" + std::to_string(l),
                                     TransformerLayer(TransformerLayerOptions{o.d_model, o.n_heads, o.ff_size, o.dropout})));
  final_ = register_module("final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d_model})));
}

torch::Tensor TransformerEncoderImpl::forward(const torch::Tensor& ids_in, const torch::Tensor& mask_in) {
  auto ids = ids_in, mask = mask_in;
  if (ids.size(1) > ids_.max_len) {  // the block caps lengths; a hand-made batch keeps the first positions
    ids = ids.narrow(1, 0, ids_.max_len);
    mask = mask.narrow(1, 0, ids_.max_len);
  }
  const int64_t t = ids.size(1);
  auto x = tokens->forward(ids) + positions_->forward(torch::arange(t, ids.options())).unsqueeze(0);
  x = torch::dropout(x, dropout_, is_training());
  auto bias = attention_bias(mask, x.scalar_type());
  for (auto& layer : layers) x = layer->forward(x, bias);
  return final_->forward(x);
}

std::vector<torch::Tensor> TransformerEncoderImpl::embedding_parameters() {
  auto p = tokens->parameters();
  for (auto& q : positions_->parameters()) p.push_back(q);
  return p;
}
std::vector<torch::Tensor> TransformerEncoderImpl::final_parameters() { return final_->parameters(); }

// --- models -------------------------------------------------------------------------------------

std::pair<torch::Tensor, torch::Tensor> SequenceModel::inputs(const Batch& batch) const {
  auto ids = get(batch, key_);
  auto it = batch.find(key_ + ".mask");
  auto mask = it != batch.end() ? it->second : ids.ne(ids_.pad_id);
  if (ids.size(1) > ids_.max_len) {
    ids = ids.narrow(1, 0, ids_.max_len);
    mask = mask.narrow(1, 0, ids_.max_len);
  }
  return {ids, mask};
}

torch::Tensor SequenceModel::pool(const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& states) const {
  return masked_mean(states, residue_mask(ids, ids_).logical_and(mask));
}

torch::Tensor SequenceModel::forward(const Batch& batch) {
  auto [ids, mask] = inputs(batch);
  return head(encode(ids, mask), mask);
}

torch::Tensor SequenceModel::embed(const Batch& batch) {
  auto [ids, mask] = inputs(batch);
  return pool(ids, mask, encode(ids, mask));
}

std::pair<torch::Tensor, torch::Tensor> SequenceModel::forward_and_embed(const Batch& batch) {
  auto [ids, mask] = inputs(batch);
  const torch::Tensor states = encode(ids, mask);
  return {head(states, mask), pool(ids, mask, states)};
}

ProteinCnn::ProteinCnn(std::string key, const TokenIds& ids, const CnnOptions& o, int64_t n_outputs, bool per_residue)
    : SequenceModel(std::move(key), ids, o.channels), options_(o), per_residue_(per_residue) {
  encoder_ = register_module("encoder", CnnEncoder(ids, o));
  const int64_t features = per_residue || o.pool != "max_mean" ? o.channels : 2 * o.channels;
  head_ = register_module("head", torch::nn::Linear(features, n_outputs));
}

torch::Tensor ProteinCnn::encode(const torch::Tensor& ids, const torch::Tensor& mask) {
  return encoder_->forward(ids, mask);
}

torch::Tensor ProteinCnn::head(const torch::Tensor& h, const torch::Tensor& mask) {  // h [B,T,C]
  if (per_residue_)
    return head_->forward(torch::dropout(h, options_.dropout, is_training())) * mask.unsqueeze(2).to(h.dtype());
  std::vector<torch::Tensor> pooled;
  if (options_.pool != "mean")
    pooled.push_back(std::get<0>(h.masked_fill(mask.logical_not().unsqueeze(2), -1e4).max(1)));
  if (options_.pool != "max") pooled.push_back(masked_mean(h, mask));
  auto features = pooled.size() == 1 ? pooled[0] : torch::cat(pooled, 1);
  return head_->forward(torch::dropout(features, options_.dropout, is_training()));
}

std::vector<std::vector<torch::Tensor>> ProteinCnn::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups{encoder_->embedding_parameters()};
  std::vector<torch::Tensor> body;
  for (auto& block : encoder_->blocks)
    for (auto& p : block->parameters()) body.push_back(p);
  groups.push_back(body);
  auto head = head_->parameters();
  for (auto& p : encoder_->named_parameters(false)) head.push_back(p.value());  // the final norm
  groups.push_back(head);
  return groups;
}

ProteinTransformer::ProteinTransformer(std::string key, const TokenIds& ids, const TransformerOptions& o,
                                       int64_t n_outputs, bool per_residue)
    : SequenceModel(std::move(key), ids, o.d_model), options_(o), per_residue_(per_residue) {
  encoder_ = register_module("encoder", TransformerEncoder(ids, o));
  head_ = register_module("head", torch::nn::Linear(o.d_model, n_outputs));
}

torch::Tensor ProteinTransformer::encode(const torch::Tensor& ids, const torch::Tensor& mask) {
  return encoder_->forward(ids, mask);
}

torch::Tensor ProteinTransformer::head(const torch::Tensor& h, const torch::Tensor& mask) {
  if (per_residue_)
    return head_->forward(torch::dropout(h, options_.dropout, is_training())) * mask.unsqueeze(2).to(h.dtype());
  return head_->forward(torch::dropout(masked_mean(h, mask), options_.dropout, is_training()));
}

std::vector<std::vector<torch::Tensor>> ProteinTransformer::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups{encoder_->embedding_parameters()};
  for (auto& layer : encoder_->layers) groups.push_back(layer->parameters());
  auto head = encoder_->final_parameters();
  for (auto& p : head_->parameters()) head.push_back(p);
  groups.push_back(head);
  return groups;
}

ProteinMaskedLM::ProteinMaskedLM(std::string key, const TokenIds& ids, const TransformerOptions& o)
    : SequenceModel(std::move(key), ids, o.d_model) {
  encoder_ = register_module("encoder", TransformerEncoder(ids, o));
  dense_ = register_module("lm_dense", torch::nn::Linear(o.d_model, o.d_model));
  norm_ = register_module("lm_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d_model})));
  bias_ = register_parameter("lm_bias", torch::zeros({ids.vocab_size}));
}

torch::Tensor ProteinMaskedLM::encode(const torch::Tensor& ids, const torch::Tensor& mask) {
  return encoder_->forward(ids, mask);
}

torch::Tensor ProteinMaskedLM::head(const torch::Tensor& states, const torch::Tensor&) {
  auto h = norm_->forward(torch::gelu(dense_->forward(states)));
  return torch::linear(h, encoder_->tokens->weight, bias_);  // decoder tied to the token embedding (ESM)
}

std::vector<std::vector<torch::Tensor>> ProteinMaskedLM::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups{encoder_->embedding_parameters()};
  for (auto& layer : encoder_->layers) groups.push_back(layer->parameters());
  auto head = encoder_->final_parameters();
  for (auto& p : dense_->parameters()) head.push_back(p);
  for (auto& p : norm_->parameters()) head.push_back(p);
  head.push_back(bias_);
  groups.push_back(head);
  return groups;
}

// --- registration -------------------------------------------------------------------------------
namespace {

TokenIds token_ids(const Options& o, const ModelContext& ctx) {
  const auto key = o.string("input");
  const auto dims = ctx.input_dims(key);
  for (const char* name : {"vocab_size", "pad_id", "cls_id", "eos_id", "max_len"})
    if (!dims.contains(name) || !dims[name].is_number_integer())
      throw OptionError(o.path() + ": the input \"" + key + "\" gives no \"" + name + "\" in its dims() " +
                        dims.dump() + "; feed it a protein.sequence or protein.mlm block");
  TokenIds t;
  t.vocab_size = dims["vocab_size"].get<int64_t>();
  t.pad_id = dims["pad_id"].get<int64_t>();
  t.cls_id = dims["cls_id"].get<int64_t>();
  t.eos_id = dims["eos_id"].get<int64_t>();
  t.max_len = dims["max_len"].get<int64_t>();
  return t;
}

bool per_residue(const ModelContext& ctx) {
  return ctx.blocks.target().block && ctx.blocks.target().block->dims().value("per_residue", false);
}

TransformerOptions transformer_options(const Options& o) {
  TransformerOptions t;
  t.d_model = o.integer("d_model");
  t.n_heads = o.integer("n_heads");
  t.n_layers = o.integer("n_layers");
  t.ff_size = o.integer("ff_size");
  t.dropout = o.number("dropout");
  check_parameter_budget(static_cast<double>(t.n_layers) * parameters::transformer_layer(static_cast<double>(t.d_model),
                                                                                          static_cast<double>(t.ff_size)),
                         o, "d_model");
  return t;
}

OptionSchema transformer_schema() {
  return {OptionSpec("input", OptionType::string, "x", "batch key of the token ids"),
          OptionSpec("d_model", OptionType::integer, 128, "model width").min(8),
          OptionSpec("n_heads", OptionType::integer, 4, "attention heads (d_model must be a multiple)").min(1),
          OptionSpec("n_layers", OptionType::integer, 4, "pre-LN encoder layers").min(1).max(48),
          OptionSpec("ff_size", OptionType::integer, 512, "feed-forward width").min(8),
          OptionSpec("dropout", OptionType::number, 0.1, "dropout").min(0).max(0.9)};
}

}  // namespace

void register_models(Registry& registry) {
  registry.add_model(
      "protein.cnn", "ProtCNN-like residual dilated 1-D CNN with masked max+mean pooling (part \"encoder\")",
      {OptionSpec("input", OptionType::string, "x", "batch key of the token ids"),
       OptionSpec("emb_dim", OptionType::integer, 64, "token embedding size").min(1),
       OptionSpec("channels", OptionType::integer, 128, "convolution channels").min(1),
       OptionSpec("kernel_size", OptionType::integer, 9, "convolution width (odd)").min(1),
       OptionSpec("dilations", OptionType::integer_list, json::array({1, 2, 4}),
                  "one residual block per entry, with that dilation")
           .min(1),
       OptionSpec("dropout", OptionType::number, 0.3, "dropout before the head").min(0).max(0.95),
       OptionSpec("pool", OptionType::string, "max_mean", "pooling over residues: max, mean or max_mean (concat)")
           .choices({"max", "mean", "max_mean"})},
      [](const Options& o, const ModelContext& ctx) {
        CnnOptions c;
        c.emb_dim = o.integer("emb_dim");
        c.channels = o.integer("channels");
        c.kernel_size = o.integer("kernel_size");
        if (c.kernel_size % 2 == 0) throw o.error("kernel_size", "must be odd (same-length convolutions), got " +
                                                                     std::to_string(c.kernel_size));
        c.dilations = o.integers("dilations");
        c.dropout = o.number("dropout");
        c.pool = o.string("pool");
        const double ch = static_cast<double>(c.channels), k = static_cast<double>(c.kernel_size);
        check_parameter_budget(parameters::conv(static_cast<double>(c.emb_dim), ch, k) +
                                   static_cast<double>(c.dilations.size()) * 2 * parameters::conv(ch, ch, k),
                               o, "channels");
        return std::make_shared<ProteinCnn>(o.string("input"), token_ids(o, ctx), c, ctx.n_outputs, per_residue(ctx));
      });
  registry.add_model("protein.transformer",
                     "pre-LN Transformer encoder, masked mean pooling, linear head (part \"encoder\")",
                     transformer_schema(), [](const Options& o, const ModelContext& ctx) {
                       return std::make_shared<ProteinTransformer>(o.string("input"), token_ids(o, ctx),
                                                                   transformer_options(o), ctx.n_outputs,
                                                                   per_residue(ctx));
                     });
  registry.add_model("protein.transformer_mlm",
                     "pre-LN Transformer encoder with a tied masked-LM head: [B,T,vocab] (part \"encoder\")",
                     transformer_schema(), [](const Options& o, const ModelContext& ctx) {
                       auto ids = token_ids(o, ctx);
                       if (ctx.n_outputs != ids.vocab_size)
                         throw OptionError(o.path() + ": the target has " + std::to_string(ctx.n_outputs) +
                                           " outputs but the vocabulary has " + std::to_string(ids.vocab_size) +
                                           "; use protein.mlm with role \"target\" and the input's options");
                       return std::make_shared<ProteinMaskedLM>(o.string("input"), ids, transformer_options(o));
                     });
}

}  // namespace adapt::protein
