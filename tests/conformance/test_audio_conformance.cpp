// The conformance kit on the audio plugin: its demo (16 clips per class), the other feature blocks,
// the ResNet and every augmentation.
#include "first_party.h"

namespace conformance_test {
namespace {

// The demo's mel block renamed (its options are shared), minus the mel-only ones.
adapt::testing::RecipeVariant with_feature(const std::string& block, json extra) {
  return {block, [block, extra](json recipe) {
            json& input = recipe["inputs"][0];
            input["name"] = block;
            if (block == "audio.spectrogram") input.erase("n_mels");
            input.update(extra);
            return recipe;
          }};
}

adapt::testing::Conformance audio() {
  auto c = first_party("audio");
  c.demo_options["audio.demo"] = {{"n_per_class", 16}, {"epochs", 1}};
  c.recipes = {
      with_feature("audio.spectrogram", json::object()),
      with_feature("audio.mfcc", {{"n_mfcc", 20}}),
      with_model("resnet", {{"name", "audio.resnet"}, {"channels", {8, 16}}, {"blocks_per_stage", 1}}),
      with_transforms("every augmentation",
                      json::array({{{"name", "audio.gain"}},
                                   {{"name", "audio.noise"}},
                                   {{"name", "audio.time_shift"}},
                                   {{"name", "audio.speed"}},
                                   {{"name", "audio.spec_augment"}},
                                   {{"name", "audio.random_resized_crop"}, {"p", 1.0}},
                                   {{"name", "audio.mixup"}}})),
  };
  return c;
}

}  // namespace

ADAPT_CONFORMANCE_SUITE(AudioConformance, audio())

}  // namespace conformance_test
