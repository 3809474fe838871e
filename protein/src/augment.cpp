// Residue-level augmentations (training only: on_valid() == false, so the loader never runs them on
// validation, test or prediction data). They work on the 1-D ids of one item before collate and only
// touch residues (ids 4..28 of the ESM alphabet), never <cls>/<eos>.
//   protein.random_mask          each residue -> <mask> with probability `rate`
//   protein.blosum_substitution  each residue -> a conservative substitute with probability `rate`:
//                                the amino acids with a positive BLOSUM62 score against it, drawn with
//                                weight 2^(score/2) (BLOSUM62 is in half-bit units); residues without a
//                                positive-scoring partner (C, G, P and the ambiguity codes) stay
//   protein.random_crop          a random contiguous window of [min_fraction, 1] of the residues; a
//                                per-residue target ("y" of the same length) is cropped with it
#include <torch/torch.h>

#include <array>
#include <cmath>

#include "adapt/data/data_blocks.h"
#include "alphabet.h"
#include "register.h"

namespace adapt::protein {

// BLOSUM62 (Henikoff & Henikoff 1992) over the 20 standard residues in Alphabet::standard order
// (ACDEFGHIKLMNPQRSTVWY).
const std::array<std::array<int, 20>, 20>& blosum62() {
  // Rows/columns in the classic ARNDCQEGHILKMFPSTWYV order, remapped below.
  static const int classic[20][20] = {
      {4, -1, -2, -2, 0, -1, -1, 0, -2, -1, -1, -1, -1, -2, -1, 1, 0, -3, -2, 0},
      {-1, 5, 0, -2, -3, 1, 0, -2, 0, -3, -2, 2, -1, -3, -2, -1, -1, -3, -2, -3},
      {-2, 0, 6, 1, -3, 0, 0, 0, 1, -3, -3, 0, -2, -3, -2, 1, 0, -4, -2, -3},
      {-2, -2, 1, 6, -3, 0, 2, -1, -1, -3, -4, -1, -3, -3, -1, 0, -1, -4, -3, -3},
      {0, -3, -3, -3, 9, -3, -4, -3, -3, -1, -1, -3, -1, -2, -3, -1, -1, -2, -2, -1},
      {-1, 1, 0, 0, -3, 5, 2, -2, 0, -3, -2, 1, 0, -3, -1, 0, -1, -2, -1, -2},
      {-1, 0, 0, 2, -4, 2, 5, -2, 0, -3, -3, 1, -2, -3, -1, 0, -1, -3, -2, -2},
      {0, -2, 0, -1, -3, -2, -2, 6, -2, -4, -4, -2, -3, -3, -2, 0, -2, -2, -3, -3},
      {-2, 0, 1, -1, -3, 0, 0, -2, 8, -3, -3, -1, -2, -1, -2, -1, -2, -2, 2, -3},
      {-1, -3, -3, -3, -1, -3, -3, -4, -3, 4, 2, -3, 1, 0, -3, -2, -1, -3, -1, 3},
      {-1, -2, -3, -4, -1, -2, -3, -4, -3, 2, 4, -2, 2, 0, -3, -2, -1, -2, -1, 1},
      {-1, 2, 0, -1, -3, 1, 1, -2, -1, -3, -2, 5, -1, -3, -1, 0, -1, -3, -2, -2},
      {-1, -1, -2, -3, -1, 0, -2, -3, -2, 1, 2, -1, 5, 0, -2, -1, -1, -1, -1, 1},
      {-2, -3, -3, -3, -2, -3, -3, -3, -1, 0, 0, -3, 0, 6, -4, -2, -2, 1, 3, -1},
      {-1, -2, -2, -1, -3, -1, -1, -2, -2, -3, -3, -1, -2, -4, 7, -1, -1, -4, -3, -2},
      {1, -1, 1, 0, -1, 0, 0, 0, -1, -2, -2, 0, -1, -2, -1, 4, 1, -3, -2, -2},
      {0, -1, 0, -1, -1, -1, -1, -2, -2, -1, -1, -1, -1, -2, -1, 1, 5, -2, -2, 0},
      {-3, -3, -4, -4, -2, -2, -3, -2, -2, -3, -2, -3, -1, 1, -4, -3, -2, 11, 2, -3},
      {-2, -2, -2, -3, -2, -1, -2, -3, 2, -1, -1, -2, -1, 3, -3, -2, -2, 2, 7, -1},
      {0, -3, -3, -3, -1, -2, -2, -3, -3, 3, 1, -2, 1, -1, -2, -2, 0, -3, -1, 4}};
  static const std::array<std::array<int, 20>, 20> table = [] {
    const std::string order = "ARNDCQEGHILKMFPSTWYV";
    std::array<std::array<int, 20>, 20> t{};
    for (int i = 0; i < 20; ++i)
      for (int j = 0; j < 20; ++j)
        t[static_cast<size_t>(Alphabet::standard_index(order[static_cast<size_t>(i)]))]
         [static_cast<size_t>(Alphabet::standard_index(order[static_cast<size_t>(j)]))] = classic[i][j];
    return t;
  }();
  return table;
}

namespace {

class ResidueTransform : public Transform {
 public:
  ResidueTransform(std::string component, const Options& o)
      : component_(std::move(component)), key_(o.string("key")), p_(o.number("p")) {}
  TransformLevel level() const override { return TransformLevel::item; }
  double p() const override { return p_; }
  void setup(const DataBlocks& blocks) override {
    const auto dims = blocks.input(key_).dims();
    if (dims.value("alphabet", std::string()) != "esm-1b")
      throw OptionError(component_ + ": the input \"" + key_ + "\" is not a protein.sequence block with kmer 1 (its "
                        "dims are " + dims.dump() + "); apply it to residue tokens");
  }
  void apply(TensorDict& data, Rng& rng) const override {
    auto it = data.find(key_);
    if (it == data.end())
      throw Error(component_ + ": the item has no \"" + key_ + "\" tensor; set the transform's key option");
    if (it->second.dim() != 1 || it->second.scalar_type() != torch::kLong)
      throw Error(component_ + ": expects 1-D int64 token ids at \"" + key_ + "\"");
    auto ids = it->second.contiguous();
    std::vector<int64_t> v(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
    change(v, data, rng);
    it->second = torch::tensor(v, torch::kLong);
  }

 protected:
  virtual void change(std::vector<int64_t>& ids, TensorDict& data, Rng& rng) const = 0;
  std::string component_, key_;
  double p_;
};

class RandomMask : public ResidueTransform {
 public:
  explicit RandomMask(const Options& o) : ResidueTransform("protein.random_mask", o), rate_(o.number("rate")) {}

 protected:
  void change(std::vector<int64_t>& ids, TensorDict&, Rng& rng) const override {
    for (auto& id : ids)
      if (Alphabet::is_residue(id) && rng.bernoulli(rate_)) id = Alphabet::mask_id;
  }
  double rate_;
};

class BlosumSubstitution : public ResidueTransform {
 public:
  explicit BlosumSubstitution(const Options& o)
      : ResidueTransform("protein.blosum_substitution", o), rate_(o.number("rate")) {
    const auto& b = blosum62();
    for (int i = 0; i < 20; ++i) {
      auto& row = partners_[static_cast<size_t>(i)];
      double total = 0;
      for (int j = 0; j < 20; ++j)
        if (j != i && b[static_cast<size_t>(i)][static_cast<size_t>(j)] > 0) {
          total += std::pow(2.0, b[static_cast<size_t>(i)][static_cast<size_t>(j)] / 2.0);
          row.push_back({Alphabet::residue_id(Alphabet::standard[j]), total});
        }
      for (auto& [id, cumulative] : row) cumulative /= total;
    }
  }

 protected:
  void change(std::vector<int64_t>& ids, TensorDict&, Rng& rng) const override {
    for (auto& id : ids) {
      if (id < Alphabet::first_standard_id || id > Alphabet::last_standard_id || !rng.bernoulli(rate_)) continue;
      const auto& row = partners_[static_cast<size_t>(Alphabet::standard_index(Alphabet::residue(id)))];
      if (row.empty()) continue;
      const double u = rng.uniform();
      for (const auto& [partner, cumulative] : row)
        if (u <= cumulative) {
          id = partner;
          break;
        }
    }
  }
  double rate_;
  std::array<std::vector<std::pair<int64_t, double>>, 20> partners_;
};

class RandomCrop : public ResidueTransform {
 public:
  explicit RandomCrop(const Options& o)
      : ResidueTransform("protein.random_crop", o), min_fraction_(o.number("min_fraction")) {}

 protected:
  void change(std::vector<int64_t>& ids, TensorDict& data, Rng& rng) const override {
    // Residues are one contiguous run between the optional <cls> and <eos>.
    int64_t first = 0, last = static_cast<int64_t>(ids.size());
    while (first < last && !Alphabet::is_residue(ids[static_cast<size_t>(first)]) &&
           ids[static_cast<size_t>(first)] != Alphabet::mask_id)
      ++first;
    while (last > first && !Alphabet::is_residue(ids[static_cast<size_t>(last - 1)]) &&
           ids[static_cast<size_t>(last - 1)] != Alphabet::mask_id)
      --last;
    const int64_t n = last - first;
    const auto keep = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(min_fraction_ * static_cast<double>(n))));
    if (n <= 1 || keep >= n) return;
    const int64_t length = rng.integer(keep, n + 1);
    const int64_t start = first + rng.integer(0, n - length + 1);
    auto crop = [&](auto& v) {
      using V = std::decay_t<decltype(v)>;
      V out(v.begin(), v.begin() + first);
      out.insert(out.end(), v.begin() + start, v.begin() + start + length);
      out.insert(out.end(), v.begin() + last, v.end());
      v = std::move(out);
    };
    auto y = data.find("y");
    if (y != data.end() && y->second.dim() == 1 && y->second.numel() == static_cast<int64_t>(ids.size())) {
      auto t = y->second.to(torch::kLong).contiguous();
      std::vector<int64_t> labels(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
      crop(labels);
      y->second = torch::tensor(labels, torch::kLong);
    }
    crop(ids);
  }
  double min_fraction_;
};

OptionSchema schema(OptionSpec extra) {
  return {OptionSpec("key", OptionType::string, "x", "batch key of the residue ids"),
          OptionSpec("p", OptionType::number, 1.0, "probability of applying to an item").min(0).max(1),
          std::move(extra)};
}

}  // namespace

void register_transforms(Registry& registry) {
  registry.add_transform("protein.random_mask", "training only: residues -> <mask> at random",
                         schema(OptionSpec("rate", OptionType::number, 0.1, "share of residues masked").min(0).max(1)),
                         [](const Options& o) { return std::make_shared<RandomMask>(o); });
  registry.add_transform(
      "protein.blosum_substitution", "training only: conservative substitutions drawn by BLOSUM62",
      schema(OptionSpec("rate", OptionType::number, 0.1, "share of residues substituted").min(0).max(1)),
      [](const Options& o) { return std::make_shared<BlosumSubstitution>(o); });
  registry.add_transform(
      "protein.random_crop", "training only: a random contiguous window of the residues",
      schema(OptionSpec("min_fraction", OptionType::number, 0.8, "shortest window, as a share of the residues")
                 .greater_than(0)
                 .max(1)),
      [](const Options& o) { return std::make_shared<RandomCrop>(o); });
}

}  // namespace adapt::protein
