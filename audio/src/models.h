#pragma once
// CNNs for one-channel time-frequency images [B, C, n_bins, n_frames], sized from the input block's
// dims() ("channels") and the target's output width.
//  audio.cnn:    blocks of conv3x3 - batch norm - ReLU - 2x2 max pool, then average+max pooling.
//  audio.resnet: a conv stem and ResNet basic blocks (two conv3x3 + identity/projection shortcut),
//                stride 2 from the second stage on, then average+max pooling.
// Both start with an optional batch norm on the input (learned input scaling) and end with dropout
// and a linear head. Layer groups: body, head (for freezing and discriminative learning rates).
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "adapt/model/model.h"

namespace adapt::audio {

class ImageClassifier : public Model {
 public:
  torch::Tensor forward(const Batch& batch) override;
  // Average and max pooling of the last stage side by side: what the head reads.
  torch::Tensor embed(const Batch& batch) override;
  torch::Tensor forward_from_embedding(const torch::Tensor& embedding) override;
  int64_t embedding_width() const override { return features_; }
  std::vector<std::vector<torch::Tensor>> layer_groups() override;

 protected:
  ImageClassifier(const Options& options, const ModelContext& ctx, int64_t body_channels_out);
  static OptionSchema base_schema();
  void finish(torch::nn::Sequential body);
  int64_t in_channels_;

 private:
  std::string input_;
  bool input_norm_;
  int64_t features_;
  double dropout_p_;
  int64_t n_outputs_;
  torch::nn::BatchNorm2d input_bn_{nullptr};
  torch::nn::Sequential body_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
};

class AudioCnn : public ImageClassifier {
 public:
  AudioCnn(const Options& options, const ModelContext& ctx);
  static OptionSchema schema();
};

class AudioResNet : public ImageClassifier {
 public:
  AudioResNet(const Options& options, const ModelContext& ctx);
  static OptionSchema schema();
};

}  // namespace adapt::audio
