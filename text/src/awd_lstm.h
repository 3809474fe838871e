#pragma once
// AWD-LSTM (Merity et al. 2017, as in fastai): embedding dropout, locked (variational) dropout on
// inputs and between layers, and DropConnect on the hidden-to-hidden weights. The encoder is shared by
// the language model (decoder tied to the embedding) and the classifier (concat pooling head), so
// ULMFiT can move "encoder" weights from one to the other.
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "adapt/model/model.h"

namespace adapt::text {

struct AwdLstmOptions {
  int64_t vocab_size = 0;
  int64_t pad_id = 3;
  int64_t emb_size = 400;
  int64_t hidden_size = 1152;
  int64_t n_layers = 3;
  bool bidirectional = false;
  double embed_p = 0.05;   // whole embedding rows dropped
  double input_p = 0.4;    // locked dropout on the embedding output
  double hidden_p = 0.3;   // locked dropout between layers
  double weight_p = 0.5;   // DropConnect on hidden-to-hidden weights
};

// One LSTM layer whose recurrent weight is dropped (DropConnect) once per forward on train.
class WeightDropLstmImpl : public torch::nn::Module {
 public:
  WeightDropLstmImpl(int64_t input_size, int64_t hidden_size, bool bidirectional, double weight_p);
  // x [B,T,in], lengths [B] (cpu int64) -> [B,T,hidden*directions]; padded positions are zero.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& lengths);
  int64_t hidden_size() const { return hidden_size_; }

 private:
  int64_t hidden_size_;
  bool bidirectional_;
  double weight_p_;
  std::vector<torch::Tensor> weights_;  // per direction: w_ih, w_hh, b_ih, b_hh
};
TORCH_MODULE(WeightDropLstm);

class AwdLstmEncoderImpl : public torch::nn::Module {
 public:
  explicit AwdLstmEncoderImpl(const AwdLstmOptions& options);
  // ids [B,T], lengths [B] -> last layer's outputs [B,T,output_size()].
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& lengths);
  int64_t output_size() const;
  const AwdLstmOptions& options() const { return options_; }
  torch::nn::Embedding embedding{nullptr};
  std::vector<WeightDropLstm> layers;

 private:
  AwdLstmOptions options_;
};
TORCH_MODULE(AwdLstmEncoder);

// Same-mask-for-every-time-step dropout on [B,T,F].
torch::Tensor locked_dropout(const torch::Tensor& x, double p, bool training);

struct ClassifierHeadOptions {
  std::vector<int64_t> hidden{50};
  double output_p = 0.4;  // dropout before the first linear layer (fastai's output_p)
  double hidden_p = 0.1;  // dropout before later linear layers
};

// Concat pooling: [last real step, max, mean] over the unpadded steps -> BN/dropout/linear blocks.
class ConcatPoolingHeadImpl : public torch::nn::Module {
 public:
  ConcatPoolingHeadImpl(int64_t features, int64_t n_outputs, const ClassifierHeadOptions& options, bool bidirectional);
  torch::Tensor forward(const torch::Tensor& outputs, const torch::Tensor& mask, const torch::Tensor& lengths);
  // [last, max, mean] [B, 3 x features]: what the layers read.
  torch::Tensor pool(const torch::Tensor& outputs, const torch::Tensor& mask, const torch::Tensor& lengths) const;
  torch::Tensor layers(const torch::Tensor& pooled) { return layers_->forward(pooled); }

 private:
  bool bidirectional_;
  torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(ConcatPoolingHead);

class AwdLstmClassifier : public Model {
 public:
  AwdLstmClassifier(const AwdLstmOptions& encoder, const ClassifierHeadOptions& head, int64_t n_outputs,
                    std::string key);
  torch::Tensor forward(const Batch& batch) override;
  // The concat pooling the head reads.
  torch::Tensor embed(const Batch& batch) override;
  torch::Tensor forward_from_embedding(const torch::Tensor& embedding) override;
  int64_t embedding_width() const override { return 3 * encoder_->output_size(); }
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 private:
  std::string key_;
  AwdLstmEncoder encoder_{nullptr};
  ConcatPoolingHead head_{nullptr};
};

class AwdLstmLanguageModel : public Model {
 public:
  AwdLstmLanguageModel(const AwdLstmOptions& encoder, double output_p, std::string key);
  torch::Tensor forward(const Batch& batch) override;  // [B,T,vocab]
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 private:
  std::string key_;
  double output_p_;
  AwdLstmEncoder encoder_{nullptr};
  torch::Tensor decoder_bias_;  // the decoder's weight is the embedding matrix (tied)
};

// Lengths of a batch: "<key>.lengths" when the block gave them, else the mask's row sums, else T.
torch::Tensor batch_lengths(const Batch& batch, const std::string& key);

}  // namespace adapt::text
