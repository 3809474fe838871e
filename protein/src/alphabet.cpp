#include "alphabet.h"

#include <cctype>
#include <stdexcept>

#include "adapt/common/error.h"
#include "adapt/common/predict_time.h"

namespace adapt::protein {

const std::vector<std::string>& Alphabet::tokens() {
  static const std::vector<std::string> t = {
      "<cls>", "<pad>", "<eos>", "<unk>", "L", "A", "G", "V", "S", "E", "R", "T", "I", "D", "P", "K", "Q",
      "N",     "F",     "Y",     "M",     "H", "W", "C", "X", "B", "U", "Z", "O", ".", "-", "<null_1>", "<mask>"};
  return t;
}

int64_t Alphabet::residue_id(char c) {
  static const std::string order = "LAGVSERTIDPKQNFYMHWCXBUZO";
  const auto pos = order.find(c);
  return c == '\0' || pos == std::string::npos ? -1 : static_cast<int64_t>(pos) + first_residue_id;
}

char Alphabet::residue(int64_t id) { return is_residue(id) ? tokens()[static_cast<size_t>(id)][0] : '?'; }

int Alphabet::standard_index(char c) {
  const char* p = standard;
  for (int i = 0; p[i] != '\0'; ++i)
    if (p[i] == c) return i;
  return -1;
}

KmerVocabulary::KmerVocabulary(int64_t k_) : k(k_) {
  if (k < 1 || k > 3) throw OptionError("kmer: must be 1, 2 or 3, got " + std::to_string(k));
}

int64_t KmerVocabulary::size() const {
  if (k == 1) return Alphabet::size;
  int64_t n = 1;
  for (int64_t i = 0; i < k; ++i) n *= 20;
  return 5 + n;
}

std::vector<int64_t> KmerVocabulary::encode(const std::string& residues) const {
  std::vector<int64_t> out;
  if (k == 1) {
    out.reserve(residues.size());
    for (char c : residues) {
      const auto id = Alphabet::residue_id(c);
      out.push_back(id < 0 ? unk_id() : id);
    }
    return out;
  }
  if (static_cast<int64_t>(residues.size()) < k) return {unk_id()};
  for (size_t i = 0; i + static_cast<size_t>(k) <= residues.size(); ++i) {
    int64_t code = 0;
    bool ok = true;
    for (int64_t j = 0; j < k && ok; ++j) {
      const int s = Alphabet::standard_index(residues[i + static_cast<size_t>(j)]);
      ok = s >= 0;
      code = code * 20 + s;
    }
    out.push_back(ok ? 5 + code : unk_id());
  }
  return out;
}

std::string KmerVocabulary::token(int64_t id) const {
  if (k == 1) return id >= 0 && id < Alphabet::size ? Alphabet::tokens()[static_cast<size_t>(id)] : "?";
  static const char* specials[] = {"<cls>", "<pad>", "<eos>", "<unk>", "<mask>"};
  if (id >= 0 && id < 5) return specials[id];
  if (id < 0 || id >= size()) return "?";
  std::string s(static_cast<size_t>(k), '?');
  int64_t code = id - 5;
  for (int64_t j = k - 1; j >= 0; --j, code /= 20) s[static_cast<size_t>(j)] = Alphabet::standard[code % 20];
  return s;
}

InvalidPolicy parse_invalid_policy(const std::string& value, const std::string& path) {
  if (value == "error") return InvalidPolicy::error;
  if (value == "x") return InvalidPolicy::x;
  if (value == "remove") return InvalidPolicy::remove;
  throw OptionError(path + ": must be \"error\", \"x\" or \"remove\", got \"" + value + "\"");
}

namespace {
std::string shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (std::isprint(u)) return std::string("'") + c + "'";
  static const char* hex = "0123456789abcdef";
  return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}
}  // namespace

std::string clean_sequence(const std::string& raw, InvalidPolicy policy, const std::string& component,
                           const std::string& where) {
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    if (std::isspace(static_cast<unsigned char>(ch))) continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  while (!out.empty() && out.back() == '*') out.pop_back();  // a trailing stop codon
  std::string clean;
  clean.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (Alphabet::residue_id(c) >= 0) {
      clean += c;
      continue;
    }
    if (policy == InvalidPolicy::x) {
      clean += 'X';
    } else if (policy == InvalidPolicy::error) {
      std::string hint = c == '-' || c == '.' ? " (an alignment gap: remove gaps before training)"
                         : c == '*'           ? " (a stop '*' inside the sequence)"
                                              : "";
      throw DataError(component + ": " + where + ": invalid character " + shown(c) + " at residue " +
                      std::to_string(i + 1) + hint +
                      "; a sequence may hold the 20 standard amino acids ACDEFGHIKLMNPQRSTVWY and the "
                      "ambiguity codes X B Z U O. " +
                      (at_predict_time() ? std::string("Fix the input: this model was trained to refuse such "
                                                       "characters (a model trained with reader.invalid \"x\" or "
                                                       "\"remove\" takes them)")
                                         : std::string("Fix the record, or set the option invalid to \"x\" (map to "
                                                       "X) or \"remove\"")));
    }
  }
  if (clean.empty())
    throw DataError(component + ": " + where + ": empty sequence" +
                    (raw.empty() ? std::string() : " (nothing but whitespace, '*' or removed characters)") +
                    "; remove the record or give it residues");
  return clean;
}

}  // namespace adapt::protein
