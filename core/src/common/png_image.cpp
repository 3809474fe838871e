#include "adapt/common/png_image.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "adapt/common/error.h"

namespace adapt {

namespace {

void put_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// One PNG chunk: length, type, data, CRC-32 of type and data.
void put_chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  const std::string typed = std::string(type, 4) + data;
  out += typed;
  put_u32(out, static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(typed.data()),
                                           static_cast<uInt>(typed.size()))));
}

// A perceptually ordered map from dark blue through teal and green to yellow (viridis' anchors).
std::array<uint8_t, 3> colour(double t) {
  static const double anchors[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(t));
  const double f = t - i;
  std::array<uint8_t, 3> rgb{};
  for (int c = 0; c < 3; ++c)
    rgb[static_cast<size_t>(c)] = static_cast<uint8_t>(std::lround(anchors[i][c] + f * (anchors[i + 1][c] - anchors[i][c])));
  return rgb;
}

}  // namespace

std::string heatmap_png(const torch::Tensor& values) {
  if (values.dim() != 2 || values.size(0) < 1 || values.size(1) < 1)
    throw Error("heatmap_png: needs a non-empty [H, W] tensor");
  const torch::Tensor v = values.to(torch::kDouble).contiguous();
  const torch::Tensor finite = v.masked_select(torch::isfinite(v));
  const double lo = finite.numel() ? finite.min().item<double>() : 0.0;
  const double hi = finite.numel() ? finite.max().item<double>() : 1.0;
  const double span = hi > lo ? hi - lo : 1.0;
  const int64_t h = v.size(0), w = v.size(1);
  const double* data = v.data_ptr<double>();
  std::string raw;  // each scanline: filter byte 0, then RGB
  raw.reserve(static_cast<size_t>(h * (1 + 3 * w)));
  for (int64_t y = 0; y < h; ++y) {
    raw.push_back(0);
    for (int64_t x = 0; x < w; ++x) {
      const double value = data[y * w + x];
      const auto rgb = colour(std::isfinite(value) ? (value - lo) / span : 0.0);
      raw.append(reinterpret_cast<const char*>(rgb.data()), 3);
    }
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<const Bytef*>(raw.data()),
                static_cast<uLong>(raw.size()), 9) != Z_OK)
    throw Error("heatmap_png: zlib could not compress the image");
  packed.resize(packed_size);
  std::string png("\x89PNG\r\n\x1a\n", 8), header;
  put_u32(header, static_cast<uint32_t>(w));
  put_u32(header, static_cast<uint32_t>(h));
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits per channel, RGB, deflate, no filter, no interlace
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", "");
  return png;
}

std::string data_uri(const std::string& mime, const std::string& bytes) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "data:" + mime + ";base64,";
  out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out += digits[(n >> 18) & 63];
    out += digits[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? digits[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? digits[n & 63] : '=';
  }
  return out;
}

}  // namespace adapt
