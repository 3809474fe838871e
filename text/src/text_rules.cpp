#include "text_rules.h"

#include <cstdint>

namespace adapt::text {
namespace {

// Decodes valid UTF-8 (readers validate before rules run); a stray byte maps to itself.
std::u32string decode(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c >= 0x80 && c < 0xC0) n = 1;
    if (i + n > s.size()) n = 1;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string encode(const std::u32string& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t cp : s) append_utf8(out, cp);
  return out;
}

bool is_upper(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9) ||
         (c >= 0x400 && c <= 0x42F);
}
bool is_lower(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) || (c >= 0x3AC && c <= 0x3CE) ||
         (c >= 0x430 && c <= 0x45F);
}
char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x391 && c <= 0x3A9) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}
bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || c == 0x3000; }

std::u32string u32(const char* ascii) {
  std::u32string out;
  for (; *ascii; ++ascii) out.push_back(static_cast<unsigned char>(*ascii));
  return out;
}

std::u32string fix_html(const std::u32string& s) {
  static const std::pair<std::u32string, std::u32string> table[] = {
      {u32("&amp;"), u32("&")},  {u32("&lt;"), u32("<")},   {u32("&gt;"), u32(">")},
      {u32("&quot;"), u32("\"")}, {u32("&#39;"), u32("'")},  {u32("&nbsp;"), u32(" ")},
      {u32("<br />"), u32("\n")}, {u32("<br/>"), u32("\n")}, {u32("<br>"), u32("\n")},
      {u32("\\n"), u32("\n")},   {u32("#39;"), u32("'")},   {u32("quot;"), u32("\"")}};
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    for (const auto& [from, to] : table) {
      if (s.compare(i, from.size(), from) == 0) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(s[i++]);
  }
  return out;
}

std::vector<std::u32string> split_words(const std::u32string& s) {
  std::vector<std::u32string> words;
  std::u32string current;
  for (char32_t c : s) {
    if (is_space(c)) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

// "!!!!" -> "xxrep 4 !" inside a word: runs of 3+ identical characters.
std::u32string mark_char_repetitions(const std::u32string& word) {
  std::u32string out;
  for (size_t i = 0; i < word.size();) {
    size_t j = i + 1;
    while (j < word.size() && word[j] == word[i]) ++j;
    const size_t run = j - i;
    if (run >= 3) {
      if (!out.empty()) out.push_back(' ');
      out += u32("xxrep ") + u32(std::to_string(run).c_str()) + U' ';
      out.push_back(word[i]);
      if (j < word.size()) out.push_back(' ');
    } else {
      out.append(word, i, run);
    }
    i = j;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& rule_markers() {
  static const std::vector<std::string> markers = {"xxmaj", "xxup", "xxrep", "xxwrep", "xxfld"};
  return markers;
}

std::string lower_utf8(const std::string& text) {
  auto s = decode(text);
  for (auto& c : s) c = to_lower(c);
  return encode(s);
}

std::string apply_rules(const std::string& text, const TextRules& rules) {
  std::u32string s = decode(text);
  if (rules.fix_html) s = fix_html(s);
  if (rules.add_spaces) {
    std::u32string spaced;
    for (char32_t c : s) {
      if (c == U'/' || c == U'#') {
        spaced += U' ';
        spaced += c;
        spaced += U' ';
      } else {
        spaced += c;
      }
    }
    s = std::move(spaced);
  }
  auto words = split_words(s);
  std::vector<std::u32string> out;
  out.reserve(words.size() * 2);
  for (size_t i = 0; i < words.size();) {
    // xxwrep: the same word 3+ times in a row.
    size_t j = i + 1;
    while (rules.mark_repetitions && j < words.size() && words[j] == words[i]) ++j;
    const size_t repeats = j - i;
    std::u32string word = words[i];
    std::u32string prefix;
    if (rules.mark_case) {
      size_t letters = 0, upper = 0;
      for (char32_t c : word) {
        if (is_upper(c)) ++upper, ++letters;
        else if (is_lower(c)) ++letters;
      }
      if (letters >= 2 && upper == letters) prefix = u32("xxup ");
      else if (!word.empty() && is_upper(word[0])) prefix = u32("xxmaj ");
      for (auto& c : word) c = to_lower(c);
    }
    if (rules.mark_repetitions) word = mark_char_repetitions(word);
    if (repeats >= 3) {
      out.push_back(u32("xxwrep ") + u32(std::to_string(repeats).c_str()) + U' ' + prefix + word);
      i = j;
    } else {
      out.push_back(prefix + word);
      ++i;
    }
  }
  std::u32string joined;
  for (size_t k = 0; k < out.size(); ++k) {
    if (k) joined += U' ';
    joined += out[k];
  }
  return encode(joined);
}

}  // namespace adapt::text
