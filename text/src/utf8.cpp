#include "utf8.h"

#include <fmt/format.h>

#include "adapt/common/error.h"

namespace adapt::text {
namespace {

// Length of the valid sequence starting at `i`, or 0 when it is invalid; `bad_length` receives how many
// bytes one U+FFFD replaces (the maximal invalid subpart).
size_t sequence_length(const std::string& s, size_t i, size_t* bad_length) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  *bad_length = 1;
  if (c < 0x80) return 1;
  size_t n;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) low = 0xA0;   // overlong
    if (c == 0xED) high = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) low = 0x90;   // overlong
    if (c == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  for (size_t k = 1; k < n; ++k) {
    if (i + k >= s.size()) return 0;
    const unsigned char b = byte(i + k);
    const unsigned char lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xBF;
    if (b < lo || b > hi) return 0;
    *bad_length = k + 1;
  }
  return n;
}

}  // namespace

size_t find_invalid_utf8(const std::string& text) {
  size_t i = 0, bad = 0;
  while (i < text.size()) {
    const size_t n = sequence_length(text, i, &bad);
    if (n == 0) return i;
    i += n;
  }
  return std::string::npos;
}

std::string replace_invalid_utf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0, bad = 0;
  while (i < text.size()) {
    const size_t n = sequence_length(text, i, &bad);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i += bad;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  return out;
}

std::string truncate_utf8(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Step back over continuation bytes so the cut falls on a sequence boundary.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string checked_utf8(const std::string& text, const std::string& policy, const std::string& where) {
  const size_t bad = find_invalid_utf8(text);
  if (bad == std::string::npos) return text;
  if (policy == "replace") return replace_invalid_utf8(text);
  throw DataError(fmt::format(
      "{}: invalid UTF-8 at byte {} (byte value 0x{:02X}); convert the file to UTF-8 (e.g. iconv -f "
      "latin1 -t utf-8) or set the option invalid_utf8 to \"replace\"",
      where, bad, static_cast<unsigned char>(text[bad])));
}

}  // namespace adapt::text
