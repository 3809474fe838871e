#pragma once
// The protein alphabet and sequence cleaning. Pure C++ (no torch), so tests compile it directly.
//
// Token ids follow ESM-1b / ESM-2 (fair-esm's Alphabet "ESM-1b"), so ids line up with ESM models:
//   0 <cls>  1 <pad>  2 <eos>  3 <unk>
//   4 L  5 A  6 G  7 V  8 S  9 E  10 R  11 T  12 I  13 D  14 P  15 K  16 Q  17 N  18 F  19 Y  20 M
//   21 H  22 W  23 C  24 X  25 B  26 U  27 Z  28 O  29 .  30 -  31 <null_1>  32 <mask>
// The 20 standard amino acids are 4..23; X (any), B (D/N), U (selenocysteine), Z (E/Q) and O
// (pyrrolysine) are 24..28. The gap tokens '.' and '-' keep their ESM ids but are not accepted in
// sequences (an alignment's gaps are not residues).
//
// Optional k-mer tokens (k = 2 or 3): overlapping k-mers of the standard residues, in alphabetical
// order of ACDEFGHIKLMNPQRSTVWY, numbered from 5 after the specials 0 <cls> 1 <pad> 2 <eos> 3 <unk>
// 4 <mask>; a k-mer holding an ambiguous residue is <unk>.
#include <cstdint>
#include <string>
#include <vector>

namespace adapt::protein {

struct Alphabet {
  static constexpr int64_t cls_id = 0, pad_id = 1, eos_id = 2, unk_id = 3, mask_id = 32, size = 33;
  static constexpr int64_t first_standard_id = 4, last_standard_id = 23;  // the 20 amino acids
  static constexpr int64_t first_residue_id = 4, last_residue_id = 28;    // + X B U Z O
  static constexpr const char* standard = "ACDEFGHIKLMNPQRSTVWY";       // alphabetical
  static const std::vector<std::string>& tokens();                        // id -> token, 33 entries
  // Upper-case residue letter -> id (4..28); -1 for anything else.
  static int64_t residue_id(char c);
  // Id -> residue letter; '?' for a special token.
  static char residue(int64_t id);
  static bool is_residue(int64_t id) { return id >= first_residue_id && id <= last_residue_id; }
  // Index 0..19 of a standard residue letter in `standard`; -1 otherwise.
  static int standard_index(char c);
};

// Token ids of a cleaned sequence for k = 1 (ESM ids) or k > 1 (k-mer ids, see above).
struct KmerVocabulary {
  explicit KmerVocabulary(int64_t k = 1);
  int64_t k;
  int64_t size() const;
  int64_t cls_id() const { return 0; }
  int64_t pad_id() const { return 1; }
  int64_t eos_id() const { return 2; }
  int64_t unk_id() const { return 3; }
  int64_t mask_id() const { return k == 1 ? Alphabet::mask_id : 4; }
  // Residues -> ids: one per residue for k = 1, L - k + 1 for k > 1 (one <unk> when L < k).
  std::vector<int64_t> encode(const std::string& residues) const;
  std::string token(int64_t id) const;
};

// What to do with a character that is not a residue letter.
enum class InvalidPolicy { error, x, remove };
InvalidPolicy parse_invalid_policy(const std::string& value, const std::string& path);

// Cleans one raw sequence: drops whitespace, upper-cases, strips trailing '*' (stop), and checks every
// character. `where` names the record in errors ("AMP.tr.fa:12 record 'AP00085'"); `component` starts
// the message. Throws adapt::DataError for an invalid character (policy error: naming the record,
// the 1-based residue position and the character) and for an empty result.
std::string clean_sequence(const std::string& raw, InvalidPolicy policy, const std::string& component,
                           const std::string& where);

}  // namespace adapt::protein
