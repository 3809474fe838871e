#include "adapt/model/fusion_model.h"

#include <torch/torch.h>

#include <unordered_set>

namespace adapt {

namespace nn = torch::nn;

namespace {

nn::Sequential make_head(int64_t in, const std::vector<int64_t>& hidden, double dropout, int64_t out) {
  nn::Sequential head;
  for (int64_t width : hidden) {
    if (dropout > 0) head->push_back(nn::Dropout(dropout));
    head->push_back(nn::Linear(in, width));
    head->push_back(nn::ReLU());
    in = width;
  }
  if (dropout > 0) head->push_back(nn::Dropout(dropout));
  head->push_back(nn::Linear(in, out));
  return head;
}

}  // namespace

FusionModel::FusionModel(std::vector<FusionBranch> branches, const FusionOptions& options, int64_t n_outputs)
    : branches_(std::move(branches)), y_range_(options.y_range) {
  if (branches_.size() < 2) throw OptionError("model.branches: fusion needs at least 2 branches");
  std::vector<int64_t> widths;
  for (auto& branch : branches_) {
    const int64_t width = branch.encoder->embedding_width();
    if (width < 1)
      throw OptionError("model.branches." + branch.name + ".encoder: " + branch.encoder->name() +
                        " cannot serve as an encoder (it has no embedding); use a model whose embedding_width() > 0");
    register_module("branch_" + branch.name, branch.encoder);
    missing_.push_back(register_parameter("missing_" + branch.name, torch::zeros({width})));
    widths.push_back(width);
    // A branch's head is not used here: its parameters stay out of training.
    std::unordered_set<const void*> used;
    for (const auto& group : branch.encoder->encoder_layer_groups())
      for (const auto& p : group) used.insert(p.unsafeGetTensorImpl());
    for (auto& p : branch.encoder->parameters())
      if (branch.freeze || !used.count(p.unsafeGetTensorImpl())) p.set_requires_grad(false);
  }
  combiner_ = register_module("combiner", FusionCombiner(widths, options.combiner));
  head_ = register_module("head", make_head(combiner_->width(), options.head, options.dropout, n_outputs));
}

torch::Tensor FusionModel::branch_embedding(size_t b, const Batch& batch) {
  const FusionBranch& branch = branches_[b];
  torch::Tensor e = branch.encoder->embed(batch);
  const int64_t width = missing_[b].size(0);
  if (e.dim() != 2 || e.size(1) != width)
    throw Error("core.fusion: branch \"" + branch.name + "\" (" + branch.encoder->name() + ") gave an embedding of shape " +
                c10::str(e.sizes()) + " but reported embedding_width() " + std::to_string(width));
  auto found = batch.find(branch.input + ".missing");
  if (found == batch.end()) return e;
  torch::Tensor absent = found->second.to(torch::kBool).reshape({-1, 1});
  return torch::where(absent, missing_[b].unsqueeze(0).expand_as(e), e);
}

torch::Tensor FusionModel::embed(const Batch& batch) {
  std::vector<torch::Tensor> embeddings;
  for (size_t b = 0; b < branches_.size(); ++b) embeddings.push_back(branch_embedding(b, batch));
  return combiner_->forward(embeddings);
}

torch::Tensor FusionModel::forward(const Batch& batch) { return forward_from_embedding(embed(batch)); }

torch::Tensor FusionModel::forward_from_embedding(const torch::Tensor& embedding) {
  torch::Tensor out = head_->forward(embedding);
  if (y_range_.size() == 2) out = torch::sigmoid(out) * (y_range_[1] - y_range_[0]) + y_range_[0];
  return out;
}

std::vector<std::vector<torch::Tensor>> FusionModel::layer_groups() {
  std::vector<std::vector<torch::Tensor>> groups;
  for (auto& branch : branches_)
    if (!branch.freeze)
      for (auto& group : branch.encoder->encoder_layer_groups()) groups.push_back(group);
  std::vector<torch::Tensor> top = missing_;
  for (auto& p : combiner_->parameters()) top.push_back(p);
  for (auto& p : head_->parameters()) top.push_back(p);
  groups.push_back(top);
  return groups;
}

std::vector<double> FusionModel::lr_multipliers() {
  std::vector<double> factors;
  for (auto& branch : branches_)
    if (!branch.freeze) factors.insert(factors.end(), branch.encoder->encoder_layer_groups().size(), branch.lr_mult);
  factors.push_back(1.0);
  return factors;
}

std::vector<std::string> FusionModel::layer_group_branches() {
  std::vector<std::string> owners;
  for (auto& branch : branches_)
    if (!branch.freeze) owners.insert(owners.end(), branch.encoder->encoder_layer_groups().size(), branch.name);
  owners.emplace_back();
  return owners;
}

std::shared_ptr<torch::nn::Module> FusionModel::part(const std::string& name) {
  for (auto& branch : branches_)
    if (branch.name == name) return branch.encoder;
  return Model::part(name);
}

}  // namespace adapt
