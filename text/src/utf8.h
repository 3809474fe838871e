#pragma once
// UTF-8 validation and repair for everything the text plugin reads.
#include <cstddef>
#include <string>

namespace adapt::text {

// Byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code points above
// U+10FFFF are invalid), or std::string::npos when `text` is valid.
size_t find_invalid_utf8(const std::string& text);
// Replaces every invalid sequence with U+FFFD (one per maximal invalid subpart, like Python's
// errors="replace").
std::string replace_invalid_utf8(const std::string& text);
// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8 sequence.
std::string truncate_utf8(const std::string& text, size_t max_bytes);
// What to do with invalid bytes: "error" or "replace". Throws DataError naming `where` on "error".
std::string checked_utf8(const std::string& text, const std::string& policy, const std::string& where);

}  // namespace adapt::text
