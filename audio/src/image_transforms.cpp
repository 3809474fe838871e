#include "image_transforms.h"

#include <torch/nn/functional/upsampling.h>

#include <cmath>

namespace adapt::audio {

namespace {
torch::Tensor& image_at(TensorDict& data, const std::string& key, const char* component) {
  auto found = data.find(key);
  if (found == data.end()) throw Error(std::string(component) + ": no '" + key + "' in the item; set \"key\"");
  if (found->second.dim() != 3)
    throw Error(std::string(component) + ": '" + key + "' must be an image [channels, bins, frames], got " +
                std::to_string(found->second.dim()) + " dimensions");
  return found->second;
}
}  // namespace

OptionSchema SpecAugment::schema() {
  return {OptionSpec("key", OptionType::string, "x", "batch key of the spectrogram image"),
          OptionSpec("p", OptionType::number, 1.0, "probability of applying to each training item").min(0).max(1),
          OptionSpec("n_freq_masks", OptionType::integer, 2, "frequency masks").min(0),
          OptionSpec("freq_width", OptionType::integer, 8, "largest frequency mask (rows)").min(0),
          OptionSpec("n_time_masks", OptionType::integer, 2, "time masks").min(0),
          OptionSpec("time_width", OptionType::integer, 10, "largest time mask (frames)").min(0)};
}

SpecAugment::SpecAugment(const Options& o)
    : key_(o.string("key")),
      p_(o.number("p")),
      n_freq_masks_(o.integer("n_freq_masks")),
      freq_width_(o.integer("freq_width")),
      n_time_masks_(o.integer("n_time_masks")),
      time_width_(o.integer("time_width")) {}

void SpecAugment::apply(TensorDict& data, Rng& rng) const {
  auto image = image_at(data, key_, "audio.spec_augment").clone();
  const int64_t bins = image.size(1), frames = image.size(2);
  const float fill = image.mean().item<float>();
  auto mask = [&](int64_t dim, int64_t extent, int64_t max_width) {
    const int64_t width = rng.integer(0, std::min(max_width, extent) + 1);
    if (width == 0) return;
    const int64_t start = rng.integer(0, extent - width + 1);
    image.narrow(dim, start, width).fill_(fill);
  };
  for (int64_t i = 0; i < n_freq_masks_; ++i) mask(1, bins, freq_width_);
  for (int64_t i = 0; i < n_time_masks_; ++i) mask(2, frames, time_width_);
  data[key_] = image;
}

OptionSchema RandomResizedCrop::schema() {
  return {OptionSpec("key", OptionType::string, "x", "batch key of the spectrogram image"),
          OptionSpec("p", OptionType::number, 0.5, "probability of applying to each training item").min(0).max(1),
          OptionSpec("min_scale", OptionType::number, 0.7, "smallest fraction of the image area kept").greater_than(0).max(1),
          OptionSpec("min_ratio", OptionType::number, 0.8, "smallest aspect-ratio change").greater_than(0),
          OptionSpec("max_ratio", OptionType::number, 1.25, "largest aspect-ratio change").greater_than(0),
          OptionSpec("keep_frequency", OptionType::boolean, false, "crop along time only (keep every band)")};
}

RandomResizedCrop::RandomResizedCrop(const Options& o)
    : key_(o.string("key")),
      p_(o.number("p")),
      min_scale_(o.number("min_scale")),
      min_ratio_(o.number("min_ratio")),
      max_ratio_(o.number("max_ratio")),
      keep_frequency_(o.boolean("keep_frequency")) {
  if (min_ratio_ > max_ratio_) throw o.error("min_ratio", "must be <= max_ratio");
}

void RandomResizedCrop::apply(TensorDict& data, Rng& rng) const {
  auto& image = image_at(data, key_, "audio.random_resized_crop");
  const int64_t h = image.size(1), w = image.size(2);
  int64_t crop_h = h, crop_w = w, top = 0, left = 0;
  if (keep_frequency_) {
    crop_w = std::max<int64_t>(1, std::llround(rng.uniform(min_scale_, 1.0) * w));
    left = rng.integer(0, w - crop_w + 1);
  } else {
    // fastai: up to 10 tries for a crop that fits, then a centre crop.
    bool found = false;
    for (int attempt = 0; attempt < 10 && !found; ++attempt) {
      const double area = rng.uniform(min_scale_, 1.0) * static_cast<double>(h * w);
      const double ratio = std::exp(rng.uniform(std::log(min_ratio_), std::log(max_ratio_)));
      const int64_t cw = std::llround(std::sqrt(area * ratio * w / h));
      const int64_t ch = std::llround(std::sqrt(area / ratio * h / w));
      if (cw >= 1 && ch >= 1 && cw <= w && ch <= h) {
        crop_w = cw;
        crop_h = ch;
        top = rng.integer(0, h - ch + 1);
        left = rng.integer(0, w - cw + 1);
        found = true;
      }
    }
  }
  if (crop_h == h && crop_w == w) return;
  auto crop = image.narrow(1, top, crop_h).narrow(2, left, crop_w).unsqueeze(0);
  namespace F = torch::nn::functional;
  image = F::interpolate(crop, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{h, w})
                                   .mode(torch::kBilinear)
                                   .align_corners(false))
              .squeeze(0);
}

}  // namespace adapt::audio
