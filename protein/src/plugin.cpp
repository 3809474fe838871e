// The protein plugin: FASTA/CSV readers, the ESM-compatible alphabet, sequence / masked-LM /
// per-residue blocks, a dilated CNN and a pre-LN Transformer (masked-LM pretraining, fine-tuning,
// embeddings), augmentations, a composition baseline and a demo.
#include "adapt/plugin/plugin.h"

#include "register.h"

namespace {

void register_protein(adapt::Registry& registry) {
  adapt::protein::register_readers(registry);
  adapt::protein::register_blocks(registry);
  adapt::protein::register_transforms(registry);
  adapt::protein::register_models(registry);
  adapt::protein::register_baselines(registry);
  adapt::protein::register_demo(registry);
}

}  // namespace

ADAPT_PLUGIN("protein", ADAPT_PLUGIN_VERSION, "MIT",
             "Proteins: FASTA/CSV readers, ESM alphabet, dilated CNN and pre-LN Transformer with masked-LM "
             "pretraining, embeddings, composition baseline",
             register_protein)
