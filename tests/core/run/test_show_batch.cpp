// show-batch: the first training batch as the model receives it, each input drawn by its block.
#include <gtest/gtest.h>

#include <iterator>
#include <regex>
#include <sstream>

#include "adapt/data/csv.h"
#include "adapt/data/regression_block.h"
#include "adapt/run/show_batch.h"
#include "core/support/learner_fixtures.h"

using namespace adapt;
using namespace adapt::testing;

namespace {
// The numbers shown for each item, in page order ("<code>a b c d</code>").
std::vector<std::vector<double>> shown_values(const std::string& html) {
  std::vector<std::vector<double>> items;
  const std::regex code("<code>([^<]*)</code>");
  for (std::sregex_iterator it(html.begin(), html.end(), code), end; it != end; ++it) {
    std::istringstream values((*it)[1].str());
    items.emplace_back(std::istream_iterator<double>(values), std::istream_iterator<double>());
  }
  return items;
}
}  // namespace

TEST(ShowBatch, ShowsTheTrainingItemsTheModelReceivesAugmentationsIncluded) {
  TempDir dir("show_batch");
  json recipe = rings_recipe(dir.path, 200, 1);
  const std::string plain = show_batch_page(recipe, core_test_registry(), {5, 0});
  recipe["transforms"] = json::array({{{"name", "core.gaussian_noise"}, {"std", 0.5}, {"p", 1.0}}});
  const std::string noisy = show_batch_page(recipe, core_test_registry(), {5, 0});

  const auto a = shown_values(plain), b = shown_values(noisy);
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_NE(plain.find("transforms: none"), std::string::npos);
  EXPECT_NE(noisy.find("transforms: core.gaussian_noise"), std::string::npos);
  // The same rows in the loader's order on both pages, each with its own target; the noise moved
  // every value the model receives.
  const auto origins = [](const std::string& html) {
    std::vector<std::string> found;
    const std::regex heading("<h3>([^<]*)</h3>");
    for (std::sregex_iterator it(html.begin(), html.end(), heading), end; it != end; ++it) found.push_back((*it)[1]);
    return found;
  };
  ASSERT_EQ(origins(plain), origins(noisy));
  ASSERT_EQ(origins(plain).size(), 5u);
  Records records = read_csv_file((dir.path / "rings.csv").string());
  const std::string first = origins(plain)[0];
  const size_t row = std::stoul(first.substr(first.rfind(':') + 1)) - 2;  // line 1 is the header
  EXPECT_NE(plain.find("target: label = " + records.at(row, "label")), std::string::npos);
  ASSERT_EQ(a[0].size(), 4u);
  double moved = 0;
  for (size_t i = 0; i < 5; ++i)
    for (size_t j = 0; j < 4; ++j) moved += std::abs(a[i][j] - b[i][j]);
  EXPECT_GT(moved, 5.0);
  EXPECT_NE(plain.find("<h4>x</h4>"), std::string::npos);
  EXPECT_EQ(plain.find("<script"), std::string::npos);
}

TEST(ShowBatch, AnImageIsAnInlinePngHeatmap) {
  struct Image : Block {
    std::vector<std::string> columns() const override { return {}; }
    TensorDict encode(const Records&, size_t, const EncodeContext&) const override { return {}; }
  } block;
  const std::string html = block.show(Records({"a"}, "mem"), 0, {{"", torch::rand({1, 8, 30})}});
  EXPECT_NE(html.find("<img alt=\"image 8 x 30\""), std::string::npos) << html.substr(0, 200);
  EXPECT_NE(html.find("src=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);  // the PNG signature
}
