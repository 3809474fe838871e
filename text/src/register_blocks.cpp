#include "lm_block.h"
#include "register.h"
#include "tokens_block.h"

namespace adapt::text {

void register_blocks(Registry& registry) {
  registry.add_block("text.tokens",
                     "text -> SentencePiece ids trained on the training split (padded, with mask and lengths)",
                     TokensBlock::schema(), [](const Options& o) {
                       return std::make_shared<TokensBlock>(TokenizerOptions::from(o, "text.tokens"),
                                                            o.integer("max_tokens"));
                     });
  registry.add_block("text.lm",
                     "language-model windows of seq_len tokens; role input (x) or target (y, shifted by one)",
                     LanguageModelBlock::schema(), [](const Options& o) {
                       return std::make_shared<LanguageModelBlock>(TokenizerOptions::from(o, "text.lm"),
                                                                   o.integer("seq_len"),
                                                                   o.string("role") == "target");
                     });
}

}  // namespace adapt::text
