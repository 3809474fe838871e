// heatmap_png writes a valid PNG (every chunk's CRC, the inflated scanlines, the colour map's ends)
// and data_uri is standard base64.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "adapt/common/png_image.h"

using namespace adapt;

namespace {
uint32_t be32(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 | uint32_t(uint8_t(s[at + 2])) << 8 |
         uint32_t(uint8_t(s[at + 3]));
}
}  // namespace

TEST(PngImage, AHeatmapIsAValidPngWithTheMinimumDarkAndTheMaximumBright) {
  // 2 rows x 3 columns: 0 1 2 / 3 4 5, and a NaN drawn as the minimum.
  torch::Tensor values = torch::arange(6, torch::kFloat32).reshape({2, 3});
  values[1][2] = NAN;
  const std::string png = heatmap_png(values);
  ASSERT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::string idat;
  uint32_t width = 0, height = 0;
  for (size_t at = 8; at < png.size();) {
    const uint32_t length = be32(png, at);
    const std::string type = png.substr(at + 4, 4), data = png.substr(at + 8, length);
    const uint32_t crc = be32(png, at + 8 + length);
    EXPECT_EQ(crc, crc32(crc32(0L, reinterpret_cast<const Bytef*>(type.data()), 4),
                         reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())))
        << type;
    if (type == "IHDR") width = be32(data, 0), height = be32(data, 4);
    if (type == "IDAT") idat += data;
    at += 12 + length;
  }
  EXPECT_EQ(width, 3u);
  EXPECT_EQ(height, 2u);
  std::string raw(2 * (1 + 3 * 3), '\0');
  uLongf raw_size = raw.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_size, reinterpret_cast<const Bytef*>(idat.data()),
                       idat.size()),
            Z_OK);
  ASSERT_EQ(raw_size, raw.size());
  const auto pixel = [&](int y, int x) { return std::string(raw.substr(size_t(y) * 10 + 1 + size_t(x) * 3, 3)); };
  EXPECT_EQ(pixel(0, 0), std::string("\x44\x01\x54", 3));  // the minimum: dark purple (68, 1, 84)
  EXPECT_EQ(pixel(1, 1), std::string("\xfd\xe7\x25", 3));  // the maximum (4): yellow (253, 231, 37)
  EXPECT_EQ(pixel(1, 2), pixel(0, 0));                     // NaN: the minimum
  EXPECT_THROW(heatmap_png(torch::zeros({3})), Error);
}

TEST(PngImage, DataUrisAreBase64) {
  EXPECT_EQ(data_uri("text/plain", "Man"), "data:text/plain;base64,TWFu");
  EXPECT_EQ(data_uri("text/plain", "Ma"), "data:text/plain;base64,TWE=");
  EXPECT_EQ(data_uri("text/plain", "M"), "data:text/plain;base64,TQ==");
  EXPECT_EQ(data_uri("a/b", ""), "data:a/b;base64,");
}
