#pragma once
// Normalisation rules applied before tokenization, after fastai's text rules: case is folded but kept
// as marker tokens, so the vocabulary is smaller and "FREE" still differs from "free".
//   xxmaj word   the next word started with a capital    ("Hello" -> "xxmaj hello")
//   xxup word    the next word was all capitals (2+ letters) ("FREE" -> "xxup free")
//   xxrep n c    a character repeated n >= 3 times       ("!!!!" -> "xxrep 4 !")
//   xxwrep n w   a word repeated n >= 3 times            ("no no no" -> "xxwrep 3 no")
// Case folding covers ASCII, Latin-1, Greek and Cyrillic letters; other scripts pass through.
#include <string>
#include <vector>

namespace adapt::text {

struct TextRules {
  bool fix_html = true;          // &amp; &lt; &gt; &quot; &#39; <br /> and friends -> characters
  bool mark_case = true;         // lower-case with xxmaj / xxup markers
  bool mark_repetitions = true;  // xxrep / xxwrep
  bool add_spaces = true;        // spaces around '/' and '#', collapse runs of spaces
};

// The marker tokens the rules may emit; the tokenizer keeps them as atomic pieces.
const std::vector<std::string>& rule_markers();

std::string apply_rules(const std::string& text, const TextRules& rules);

// Helpers, exposed for tests.
std::string lower_utf8(const std::string& text);

}  // namespace adapt::text
