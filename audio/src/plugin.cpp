// The audio plugin: readers, spectrogram blocks, augmentations, CNNs, a band-statistics baseline and a demo.
#include "adapt/plugin/plugin.h"

#include "register.h"

namespace {

void register_audio(adapt::Registry& registry) {
  adapt::audio::register_readers(registry);
  adapt::audio::register_blocks(registry);
  adapt::audio::register_transforms(registry);
  adapt::audio::register_models(registry);
  adapt::audio::register_baselines(registry);
  adapt::audio::register_demo(registry);
}

}  // namespace

ADAPT_PLUGIN("audio", ADAPT_PLUGIN_VERSION, "MIT", "Sound files as spectrogram images: features, augmentations, CNNs, baseline",
             register_audio)
