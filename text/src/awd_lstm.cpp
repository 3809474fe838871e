#include "awd_lstm.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/utils/rnn.h>
#include <torch/torch.h>

#include <cmath>

#include "adapt/common/tensor_dict.h"
#include "lstm_inference.h"
#include "lstm_training.h"

namespace adapt::text {

namespace rnn = torch::nn::utils::rnn;

torch::Tensor locked_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0.0) return x;
  auto mask = torch::empty({x.size(0), 1, x.size(2)}, x.options()).bernoulli_(1.0 - p).div_(1.0 - p);
  return x * mask;
}

torch::Tensor batch_lengths(const Batch& batch, const std::string& key) {
  if (auto it = batch.find(key + ".lengths"); it != batch.end()) return it->second.to(torch::kLong).cpu();
  if (auto it = batch.find(key + ".mask"); it != batch.end()) return it->second.sum(1).to(torch::kLong).cpu();
  const auto& ids = get(batch, key);
  return torch::full({ids.size(0)}, ids.size(1), torch::kLong);
}

WeightDropLstmImpl::WeightDropLstmImpl(int64_t input_size, int64_t hidden_size, bool bidirectional, double weight_p)
    : hidden_size_(hidden_size), bidirectional_(bidirectional), weight_p_(weight_p) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  const int directions = bidirectional ? 2 : 1;
  for (int d = 0; d < directions; ++d) {
    const std::string suffix = d == 0 ? "" : "_reverse";
    weights_.push_back(register_parameter("weight_ih" + suffix,
                                          torch::empty({4 * hidden_size, input_size}).uniform_(-bound, bound)));
    weights_.push_back(register_parameter("weight_hh" + suffix,
                                          torch::empty({4 * hidden_size, hidden_size}).uniform_(-bound, bound)));
    weights_.push_back(register_parameter("bias_ih" + suffix, torch::empty({4 * hidden_size}).uniform_(-bound, bound)));
    weights_.push_back(register_parameter("bias_hh" + suffix, torch::empty({4 * hidden_size}).uniform_(-bound, bound)));
  }
}

torch::Tensor WeightDropLstmImpl::forward(const torch::Tensor& x, const torch::Tensor& lengths) {
  // Prediction and validation: no weight drop and no graph, so the leaner loop serves (same values
  // to float rounding; tests/text compares the two).
  const bool float_cpu = x.scalar_type() == torch::kFloat && x.device().is_cpu();
  if (!is_training() && !torch::GradMode::is_enabled() && float_cpu)
    return lstm_inference(x, lengths, weights_, bidirectional_);
  std::vector<torch::Tensor> params;
  for (size_t i = 0; i < weights_.size(); ++i) {
    const bool recurrent = i % 4 == 1;
    params.push_back(recurrent && is_training() && weight_p_ > 0
                         ? torch::dropout(weights_[i], weight_p_, /*train=*/true)
                         : weights_[i]);
  }
  const bool full = lengths.min().item<int64_t>() == x.size(1);
  // A padded batch runs the same loop with a hand-written backward: it skips the padding and the
  // packed sequence's per-step operators (a layer's forward and backward measured 3-8x faster). A
  // full batch (language-model windows) keeps torch::lstm, whose per-step GEMM over all rows reuses
  // each weight: it measured on par or faster from batch 64 x hidden 128 up.
  if (float_cpu && !full) return lstm_training(x, lengths, params, bidirectional_);
  const int64_t directions = bidirectional_ ? 2 : 1;
  auto h0 = torch::zeros({directions, x.size(0), hidden_size_}, x.options());
  // A forward-only LSTM on right-padded input is exact at every real step; the backward direction
  // would read padding first, so a bidirectional layer runs on a packed sequence.
  if (!bidirectional_ || full) {
    return std::get<0>(torch::lstm(x, {h0, h0}, params, true, 1, 0.0, is_training(), bidirectional_, true));
  }
  auto packed = rnn::pack_padded_sequence(x, lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
  auto result = torch::lstm(packed.data(), packed.batch_sizes(), {h0, h0}, params, true, 1, 0.0, is_training(),
                            bidirectional_);
  rnn::PackedSequence out(std::get<0>(result), packed.batch_sizes(), packed.sorted_indices(),
                          packed.unsorted_indices());
  return std::get<0>(rnn::pad_packed_sequence(out, /*batch_first=*/true, 0.0, x.size(1)));
}

AwdLstmEncoderImpl::AwdLstmEncoderImpl(const AwdLstmOptions& o) : options_(o) {
  if (o.vocab_size <= 0)
    throw OptionError("model: the AWD-LSTM needs vocab_size from the input block (text.tokens or text.lm)");
  const int64_t directions = o.bidirectional ? 2 : 1;
  if (o.bidirectional && (o.emb_size % 2 != 0 || o.hidden_size % 2 != 0))
    throw OptionError("model: a bidirectional AWD-LSTM needs even emb_size and hidden_size, got " +
                      std::to_string(o.emb_size) + " and " + std::to_string(o.hidden_size));
  embedding = register_module("embedding", torch::nn::Embedding(torch::nn::EmbeddingOptions(o.vocab_size, o.emb_size)
                                                                    .padding_idx(o.pad_id)));
  {
    torch::NoGradGuard no_grad;
    embedding->weight.uniform_(-0.1, 0.1);
    embedding->weight[o.pad_id].zero_();
  }
  for (int64_t l = 0; l < o.n_layers; ++l) {
    const int64_t in = l == 0 ? o.emb_size : o.hidden_size;
    // The last layer outputs emb_size features so a language model can tie its decoder (fastai).
    const int64_t out = (l == o.n_layers - 1 ? o.emb_size : o.hidden_size) / directions;
    layers.push_back(register_module("rnn" + std::to_string(l), WeightDropLstm(in, out, o.bidirectional, o.weight_p)));
  }
}

int64_t AwdLstmEncoderImpl::output_size() const { return options_.emb_size; }

torch::Tensor AwdLstmEncoderImpl::forward(const torch::Tensor& ids, const torch::Tensor& lengths) {
  auto weight = embedding->weight;
  if (is_training() && options_.embed_p > 0) {
    auto keep = torch::empty({weight.size(0), 1}, weight.options())
                    .bernoulli_(1.0 - options_.embed_p)
                    .div_(1.0 - options_.embed_p);
    weight = weight * keep;
  }
  auto x = torch::embedding(weight, ids, options_.pad_id);
  x = locked_dropout(x, options_.input_p, is_training());
  for (size_t l = 0; l < layers.size(); ++l) {
    x = layers[l]->forward(x, lengths);
    if (l + 1 < layers.size()) x = locked_dropout(x, options_.hidden_p, is_training());
  }
  return x;
}

ConcatPoolingHeadImpl::ConcatPoolingHeadImpl(int64_t features, int64_t n_outputs, const ClassifierHeadOptions& o,
                                             bool bidirectional)
    : bidirectional_(bidirectional) {
  layers_ = register_module("layers", torch::nn::Sequential());
  std::vector<int64_t> sizes{3 * features};
  for (auto h : o.hidden) sizes.push_back(h);
  sizes.push_back(n_outputs);
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    layers_->push_back(torch::nn::BatchNorm1d(sizes[i]));
    layers_->push_back(torch::nn::Dropout(i == 0 ? o.output_p : o.hidden_p));
    layers_->push_back(torch::nn::Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.size()) layers_->push_back(torch::nn::ReLU());
  }
}

torch::Tensor ConcatPoolingHeadImpl::forward(const torch::Tensor& outputs, const torch::Tensor& mask,
                                             const torch::Tensor& lengths) {
  return layers_->forward(pool(outputs, mask, lengths));
}

torch::Tensor ConcatPoolingHeadImpl::pool(const torch::Tensor& outputs, const torch::Tensor& mask,
                                          const torch::Tensor& lengths) const {
  const int64_t features = outputs.size(2);
  auto m = mask.unsqueeze(2);
  auto mean = (outputs * m.to(outputs.dtype())).sum(1) / lengths.clamp_min(1).to(outputs.dtype()).unsqueeze(1);
  auto max = std::get<0>(outputs.masked_fill(m.logical_not(), -1e30).max(1));
  auto last_index = (lengths - 1).clamp_min(0).to(outputs.device());
  auto last = outputs.gather(1, last_index.view({-1, 1, 1}).expand({outputs.size(0), 1, features})).squeeze(1);
  if (bidirectional_) {
    // The backward direction ends at step 0.
    const int64_t half = features / 2;
    last = torch::cat({last.narrow(1, 0, half), outputs.select(1, 0).narrow(1, half, half)}, 1);
  }
  return torch::cat({last, max, mean}, 1);
}

namespace {
torch::Tensor batch_mask(const Batch& batch, const std::string& key, const torch::Tensor& lengths, int64_t steps) {
  if (auto it = batch.find(key + ".mask"); it != batch.end()) return it->second.to(torch::kBool);
  return torch::arange(steps).unsqueeze(0) < lengths.unsqueeze(1);
}
}  // namespace

AwdLstmClassifier::AwdLstmClassifier(const AwdLstmOptions& encoder, const ClassifierHeadOptions& head,
                                     int64_t n_outputs, std::string key)
    : key_(std::move(key)) {
  encoder_ = register_module("encoder", AwdLstmEncoder(encoder));
  head_ = register_module("head", ConcatPoolingHead(encoder_->output_size(), n_outputs, head, encoder.bidirectional));
}

torch::Tensor AwdLstmClassifier::forward(const Batch& batch) { return forward_from_embedding(embed(batch)); }

torch::Tensor AwdLstmClassifier::forward_from_embedding(const torch::Tensor& embedding) {
  return head_->layers(embedding);
}

torch::Tensor AwdLstmClassifier::embed(const Batch& batch) {
  const auto& ids = get(batch, key_);
  auto lengths = batch_lengths(batch, key_);
  auto outputs = encoder_->forward(ids, lengths);
  return head_->pool(outputs, batch_mask(batch, key_, lengths, ids.size(1)), lengths);
}

std::vector<std::vector<torch::Tensor>> AwdLstmClassifier::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups{encoder_->embedding->parameters()};
  for (auto& layer : encoder_->layers) groups.push_back(layer->parameters());
  groups.push_back(head_->parameters());
  return groups;
}

AwdLstmLanguageModel::AwdLstmLanguageModel(const AwdLstmOptions& encoder, double output_p, std::string key)
    : key_(std::move(key)), output_p_(output_p) {
  if (encoder.bidirectional)
    throw OptionError("model.bidirectional: a language model predicts the next token and must be unidirectional");
  encoder_ = register_module("encoder", AwdLstmEncoder(encoder));
  decoder_bias_ = register_parameter("decoder_bias", torch::zeros({encoder.vocab_size}));
}

torch::Tensor AwdLstmLanguageModel::forward(const Batch& batch) {
  const auto& ids = get(batch, key_);
  auto outputs = encoder_->forward(ids, batch_lengths(batch, key_));
  outputs = locked_dropout(outputs, output_p_, is_training());
  // Tied weights: the decoder projects onto the embedding matrix (Press & Wolf 2017).
  return torch::linear(outputs, encoder_->embedding->weight, decoder_bias_);
}

std::vector<std::vector<torch::Tensor>> AwdLstmLanguageModel::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups;
  for (auto& layer : encoder_->layers) groups.push_back(layer->parameters());
  groups.push_back({encoder_->embedding->weight, decoder_bias_});
  return groups;
}

}  // namespace adapt::text
