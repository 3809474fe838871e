#pragma once
// The protein models. All take the token ids at batch key `input` ("x") with "<input>.mask", and
// register their encoder as the submodule "encoder", so init_from {"part": "encoder"} moves it
// between models (masked-LM pretraining -> classifier). embed() is the encoder state mean-pooled over
// the residues (no <cls>, <eos> or padding): [N, D].
//   protein.cnn          ProtCNN-like: embedding, residual blocks of dilated 1-D convolutions
//                        (norm - ReLU - dilated conv - norm - ReLU - 1x1 conv), masked max+mean pooling
//   protein.transformer  pre-LN Transformer encoder, masked mean pooling, linear head
//   protein.transformer_mlm  the same encoder with a masked-LM head tied to the token embedding
// With a per-residue target (protein.residue_labels) the classifiers return [B, T, C] logits, zero
// past each sequence's end.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "adapt/model/model.h"
#include "adapt/model/transformer_layer.h"
#include "channel_norm.h"
#include "time_conv.h"

namespace adapt::protein {

struct TokenIds {
  int64_t vocab_size = 33, pad_id = 1, cls_id = 0, eos_id = 2, max_len = 1024;
};

// True on residues: real tokens that are not <cls>/<eos>.
torch::Tensor residue_mask(const torch::Tensor& ids, const TokenIds& t);
// Mean of x [B,T,D] over the positions where mask [B,T] is true.
torch::Tensor masked_mean(const torch::Tensor& x, const torch::Tensor& mask);

struct CnnOptions {
  int64_t emb_dim = 64, channels = 128, kernel_size = 9;
  std::vector<int64_t> dilations{1, 2, 4};
  double dropout = 0.3;
  std::string pool = "max_mean";  // max, mean, max_mean
};

class ResidualConvImpl : public torch::nn::Module {
 public:
  ResidualConvImpl(int64_t channels, int64_t kernel_size, int64_t dilation);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& keep);  // x [B,T,C], keep [B,T,1]

 private:
  torch::Tensor norm1_w_, norm1_b_, norm2_w_, norm2_b_;  // per-position LayerNorm over channels
  TimeConv dilated_, pointwise_;
};
TORCH_MODULE(ResidualConv);

class CnnEncoderImpl : public torch::nn::Module {
 public:
  CnnEncoderImpl(const TokenIds& ids, const CnnOptions& options);
  // ids [B,T], mask [B,T] -> [B,T,C], zero on padding.
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask);
  std::vector<torch::Tensor> embedding_parameters();
  std::vector<ResidualConv> blocks;

 private:
  torch::nn::Embedding embedding_{nullptr};
  TimeConv conv_in_;
  torch::Tensor norm_w_, norm_b_;
};
TORCH_MODULE(CnnEncoder);

struct TransformerOptions {
  int64_t d_model = 128, n_heads = 4, n_layers = 4, ff_size = 512;
  double dropout = 0.1;
};

class TransformerEncoderImpl : public torch::nn::Module {
 public:
  TransformerEncoderImpl(const TokenIds& ids, const TransformerOptions& options);
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask);  // -> [B,T,D]
  torch::nn::Embedding tokens{nullptr};
  std::vector<TransformerLayer> layers;
  std::vector<torch::Tensor> embedding_parameters();
  std::vector<torch::Tensor> final_parameters();

 private:
  TokenIds ids_;
  double dropout_;
  torch::nn::Embedding positions_{nullptr};
  torch::nn::LayerNorm final_{nullptr};
};
TORCH_MODULE(TransformerEncoder);

// Shared by the protein models: an encoder over residues ([B,T,D] states) and a head on those states.
// The embedding pools the states over residues, the head reads them its own way, so forward_and_embed
// runs the encoder once for both.
class SequenceModel : public Model {
 public:
  SequenceModel(std::string key, TokenIds ids, int64_t width) : key_(std::move(key)), ids_(ids), width_(width) {}
  torch::Tensor forward(const Batch& batch) override;
  // The encoder states mean-pooled over the residues [B, width]: the embedding and the fusion encoding.
  torch::Tensor embed(const Batch& batch) override;
  int64_t embedding_width() const override { return width_; }
  std::pair<torch::Tensor, torch::Tensor> forward_and_embed(const Batch& batch) override;

 protected:
  virtual torch::Tensor encode(const torch::Tensor& ids, const torch::Tensor& mask) = 0;  // [B,T,D]
  virtual torch::Tensor head(const torch::Tensor& states, const torch::Tensor& mask) = 0;  // forward()'s result
  std::pair<torch::Tensor, torch::Tensor> inputs(const Batch& batch) const;
  torch::Tensor pool(const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& states) const;
  std::string key_;
  TokenIds ids_;
  int64_t width_;
};

class ProteinCnn : public SequenceModel {
 public:
  ProteinCnn(std::string key, const TokenIds& ids, const CnnOptions& options, int64_t n_outputs, bool per_residue);
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 protected:
  torch::Tensor encode(const torch::Tensor& ids, const torch::Tensor& mask) override;
  torch::Tensor head(const torch::Tensor& states, const torch::Tensor& mask) override;

 private:
  CnnOptions options_;
  bool per_residue_;
  CnnEncoder encoder_{nullptr};
  torch::nn::Linear head_{nullptr};
};

class ProteinTransformer : public SequenceModel {
 public:
  ProteinTransformer(std::string key, const TokenIds& ids, const TransformerOptions& options, int64_t n_outputs,
                     bool per_residue);
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 protected:
  torch::Tensor encode(const torch::Tensor& ids, const torch::Tensor& mask) override;
  torch::Tensor head(const torch::Tensor& states, const torch::Tensor& mask) override;

 private:
  TransformerOptions options_;
  bool per_residue_;
  TransformerEncoder encoder_{nullptr};
  torch::nn::Linear head_{nullptr};
};

class ProteinMaskedLM : public SequenceModel {
 public:
  ProteinMaskedLM(std::string key, const TokenIds& ids, const TransformerOptions& options);
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 protected:
  torch::Tensor encode(const torch::Tensor& ids, const torch::Tensor& mask) override;
  torch::Tensor head(const torch::Tensor& states, const torch::Tensor& mask) override;  // [B,T,vocab]

 private:
  TransformerEncoder encoder_{nullptr};
  torch::nn::Linear dense_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
  torch::Tensor bias_;
};

}  // namespace adapt::protein
