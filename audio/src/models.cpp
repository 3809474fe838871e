#include "models.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

#include <memory>

#include "adapt/data/data_blocks.h"
#include "adapt/model/parameter_budget.h"
#include "register.h"

namespace adapt::audio {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

std::vector<int64_t> checked_channels(const Options& o) {
  auto channels = o.integers("channels");
  if (channels.empty()) throw o.error("channels", "give at least one stage, e.g. [32, 64, 128, 256]");
  for (auto c : channels)
    if (c < 1) throw o.error("channels", "every entry must be >= 1, got " + std::to_string(c));
  // Each stage's 3x3 convolutions (a ResNet stage has two per block).
  const double convs_per_stage = o.has("blocks_per_stage") ? 2.0 * static_cast<double>(o.integer("blocks_per_stage")) : 1;
  double estimate = 0, in = static_cast<double>(channels.front());
  for (auto c : channels) estimate += convs_per_stage * parameters::conv(in, static_cast<double>(c), 9), in = c;
  check_parameter_budget(estimate, o, "channels");
  return channels;
}

int64_t image_channels(const ModelContext& ctx, const std::string& key) {
  json dims = ctx.input_dims(key);
  if (!dims.contains("channels"))
    throw OptionError("model: input '" + key + "' is not an image (its block's dims() " + dims.dump() +
                      " has no \"channels\"); use audio.spectrogram, audio.mel or audio.mfcc");
  return dims["channels"].get<int64_t>();
}

// ResNet basic block: conv-bn-relu-conv-bn + shortcut, then ReLU.
class BasicBlockImpl : public nn::Module {
 public:
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride) {
    conv1_ = register_module("conv1", conv3x3(in, out, stride));
    bn1_ = register_module("bn1", nn::BatchNorm2d(out));
    conv2_ = register_module("conv2", conv3x3(out, out));
    bn2_ = register_module("bn2", nn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
      shortcut_ = register_module(
          "shortcut", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                                     nn::BatchNorm2d(out)));
    }
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = torch::relu(bn1_(conv1_(x)));
    y = bn2_(conv2_(y));
    return torch::relu(y + (shortcut_ ? shortcut_->forward(x) : x));
  }

 private:
  nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  nn::Sequential shortcut_{nullptr};
};
TORCH_MODULE(BasicBlock);

}  // namespace

OptionSchema ImageClassifier::base_schema() {
  return {OptionSpec("input", OptionType::string, "x", "batch key of the image"),
          OptionSpec("channels", OptionType::integer_list, json::array({32, 64, 128, 256}),
                     "output channels of each stage"),
          OptionSpec("dropout", OptionType::number, 0.3, "dropout before the linear head").min(0).max(0.99),
          OptionSpec("input_norm", OptionType::boolean, true, "batch norm on the input image")};
}

ImageClassifier::ImageClassifier(const Options& o, const ModelContext& ctx, int64_t body_channels_out)
    : input_(o.string("input")),
      input_norm_(o.boolean("input_norm")),
      features_(2 * body_channels_out),
      dropout_p_(o.number("dropout")),
      n_outputs_(ctx.n_outputs) {
  in_channels_ = image_channels(ctx, input_);
  if (n_outputs_ < 1) throw OptionError("model: the target needs " + std::to_string(n_outputs_) + " outputs");
}

void ImageClassifier::finish(nn::Sequential body) {
  if (input_norm_) input_bn_ = register_module("input_bn", nn::BatchNorm2d(in_channels_));
  body_ = register_module("body", body);
  dropout_ = register_module("dropout", nn::Dropout(dropout_p_));
  head_ = register_module("head", nn::Linear(features_, n_outputs_));
  // Kaiming init for convolutions (PyTorch's default is for tanh-ish nets); BN to identity.
  // Channels-last (NHWC) weights make oneDNN keep activations channels-last through conv, batch norm,
  // ReLU and pooling: no layout reorders per call, and LibTorch's NHWC max pooling is far faster.
  // The optimizer and checkpoints keep each parameter's layout (bench/audio: training samples/s).
  torch::NoGradGuard no_grad;
  for (auto& module : modules(false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      // A copy with exact NHWC strides: contiguous() keeps a one-input-channel weight row-major,
      // which oneDNN then reads as NCHW.
      auto nhwc = torch::empty_like(conv->weight, torch::MemoryFormat::ChannelsLast).copy_(conv->weight);
      conv->weight.set_data(nhwc);
    }
  }
}

torch::Tensor ImageClassifier::forward(const Batch& batch) { return forward_from_embedding(embed(batch)); }

torch::Tensor ImageClassifier::forward_from_embedding(const torch::Tensor& embedding) { return head_(dropout_(embedding)); }

torch::Tensor ImageClassifier::embed(const Batch& batch) {
  auto x = get(batch, input_);
  if (x.dim() == 3) x = x.unsqueeze(1);  // [B, bins, frames] from a block without a channel axis
  if (x.dim() != 4 || x.size(1) != in_channels_)
    throw Error("model: input '" + input_ + "' must be [batch, " + std::to_string(in_channels_) +
                ", bins, frames], got " + c10::str(x.sizes()));
  if (input_bn_) x = input_bn_(x);
  x = body_->forward(x);
  return torch::cat({x.mean({2, 3}), x.amax({2, 3})}, 1);
}

std::vector<std::vector<torch::Tensor>> ImageClassifier::layer_groups() {
  std::vector<torch::Tensor> body = body_->parameters();
  if (input_bn_)
    for (auto& p : input_bn_->parameters()) body.push_back(p);
  return {body, head_->parameters()};
}

OptionSchema AudioCnn::schema() { return base_schema(); }

AudioCnn::AudioCnn(const Options& o, const ModelContext& ctx)
    : ImageClassifier(o, ctx, checked_channels(o).back()) {
  const auto channels = checked_channels(o);
  nn::Sequential body;
  int64_t in = in_channels_;
  for (size_t i = 0; i < channels.size(); ++i) {
    body->push_back(conv3x3(in, channels[i]));
    body->push_back(nn::BatchNorm2d(channels[i]));
    body->push_back(nn::ReLU(nn::ReLUOptions(true)));
    // The last stage is pooled globally by the head.
    if (i + 1 < channels.size()) body->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).ceil_mode(true)));
    in = channels[i];
  }
  finish(body);
}

OptionSchema AudioResNet::schema() {
  auto s = base_schema();
  s.push_back(OptionSpec("blocks_per_stage", OptionType::integer, 2, "basic blocks in each stage").min(1).max(16));
  return s;
}

AudioResNet::AudioResNet(const Options& o, const ModelContext& ctx)
    : ImageClassifier(o, ctx, checked_channels(o).back()) {
  const auto channels = checked_channels(o);
  const int64_t per_stage = o.integer("blocks_per_stage");
  nn::Sequential body;
  body->push_back(conv3x3(in_channels_, channels[0]));
  body->push_back(nn::BatchNorm2d(channels[0]));
  body->push_back(nn::ReLU(nn::ReLUOptions(true)));
  int64_t in = channels[0];
  for (size_t stage = 0; stage < channels.size(); ++stage)
    for (int64_t b = 0; b < per_stage; ++b) {
      body->push_back(BasicBlock(in, channels[stage], stage > 0 && b == 0 ? 2 : 1));
      in = channels[stage];
    }
  finish(body);
}

void register_models(Registry& registry) {
  registry.add_model("audio.cnn", "conv-BN-ReLU-maxpool stages + avg/max pooling, for spectrogram images",
                     AudioCnn::schema(),
                     [](const Options& o, const ModelContext& ctx) { return std::make_shared<AudioCnn>(o, ctx); });
  registry.add_model("audio.resnet", "ResNet basic blocks + avg/max pooling, for spectrogram images",
                     AudioResNet::schema(),
                     [](const Options& o, const ModelContext& ctx) { return std::make_shared<AudioResNet>(o, ctx); });
}

}  // namespace adapt::audio
