// The text plugin: readers, tokenizer blocks, augmentations, models, baseline and demo for text.
#include "adapt/plugin/plugin.h"

#include "register.h"

namespace {

void register_text(adapt::Registry& registry) {
  adapt::text::register_readers(registry);
  adapt::text::register_blocks(registry);
  adapt::text::register_transforms(registry);
  adapt::text::register_models(registry);
  adapt::text::register_baselines(registry);
  adapt::text::register_demo(registry);
}

}  // namespace

ADAPT_PLUGIN("text", ADAPT_PLUGIN_VERSION, "MIT",
             "Text: CSV/folder/corpus readers, SentencePiece tokens, AWD-LSTM/Transformer, ULMFiT, TF-IDF",
             register_text)
