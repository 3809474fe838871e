#pragma once
// Base64 (RFC 4648, standard alphabet, padding optional) for audio sent inside JSON.
#include <optional>
#include <string>
#include <string_view>

namespace adapt::serve {

// The decoded bytes, or nullopt when `text` is not base64 (a character outside the alphabet, or a
// length no encoder produces). Whitespace is not allowed: JSON strings carry it escaped anyway.
std::optional<std::string> decode_base64(std::string_view text);
std::string encode_base64(std::string_view bytes);

}  // namespace adapt::serve
