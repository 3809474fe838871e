// tabular.table: Categorify, FillMissing, Normalize, date parts, kind inference, state round trip
// and the errors for bad input, with hand-computed answers.
#include <torch/torch.h>

#include <cmath>

#include "adapt/data/block.h"
#include "tabular_test_util.h"

namespace adapt {
namespace {

using tabular_test::make_records;
using tabular_test::registry;

std::shared_ptr<Block> make_block(const json& options) {
  json spec = options;
  spec["name"] = "tabular.table";
  return registry().block(spec, "inputs[0]");
}

TensorDict encode(const Block& block, const Records& records, size_t row) {
  return block.encode(records, row, EncodeContext{Split::valid, nullptr});
}

Records color_table() {
  return make_records({{"color", {"red", "blue", " red ", "", "green", "red"}},
                       {"x", {"1", "2", "NA", "4", "10", "?"}},
                       {"label", {"a", "b", "a", "b", "a", "b"}}});
}

TEST(TableBlock, CategorifyFillMissingNormalizeKnownAnswers) {
  auto block = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}});
  const Records train = color_table();
  block->setup(train);
  const json dims = block->dims();
  EXPECT_EQ(dims["cat_names"], json({"color", "x_na"}));
  EXPECT_EQ(dims["cont_names"], json({"x"}));
  EXPECT_EQ(dims["cardinalities"], json({4, 3}));  // #na#, blue, green, red / #na#, False, True
  EXPECT_EQ(dims["embedding_sizes"], json({3, 3}));

  // median of 1,2,4,10 = 3; filled 1,2,3,4,10,3 -> mean 23/6, sample std
  const double mean = 23.0 / 6.0;
  double ss = 0;
  for (double v : {1.0, 2.0, 3.0, 4.0, 10.0, 3.0}) ss += (v - mean) * (v - mean);
  const double std = std::sqrt(ss / 5.0);

  auto row0 = encode(*block, train, 0);
  EXPECT_EQ(row0.at("cat")[0].item<int64_t>(), 3);  // red
  EXPECT_EQ(row0.at("cat")[1].item<int64_t>(), 1);  // x present
  EXPECT_NEAR(row0.at("cont")[0].item<float>(), (1.0 - mean) / std, 1e-6);
  auto row2 = encode(*block, train, 2);  // " red " trims to red; x missing
  EXPECT_EQ(row2.at("cat")[0].item<int64_t>(), 3);
  EXPECT_EQ(row2.at("cat")[1].item<int64_t>(), 2);
  EXPECT_NEAR(row2.at("cont")[0].item<float>(), (3.0 - mean) / std, 1e-6);
  EXPECT_EQ(encode(*block, train, 3).at("cat")[0].item<int64_t>(), 0);  // missing category
  EXPECT_EQ(encode(*block, train, 1).at("cat")[0].item<int64_t>(), 1);  // blue
  EXPECT_EQ(row0.at("cat").dtype(), torch::kInt64);
  EXPECT_EQ(row0.at("cont").dtype(), torch::kFloat32);

  // Unseen category at predict time -> the missing code, not an error.
  const Records predict = make_records({{"color", {"purple"}}, {"x", {"2"}}});
  EXPECT_EQ(encode(*block, predict, 0).at("cat")[0].item<int64_t>(), 0);
}

// A row whose every column is blank is marked missing (core.fusion then predicts from its other inputs).
TEST(TableBlock, ARowWithEveryColumnBlankIsMarkedMissing) {
  auto block = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}});
  const Records train = make_records({{"color", {"red", "", "blue", ""}}, {"x", {"1", "2", "", " "}},
                                      {"label", {"a", "b", "a", "b"}}});
  block->setup(train);
  std::vector<bool> missing;
  for (size_t row = 0; row < train.size(); ++row) missing.push_back(encode(*block, train, row).at("missing").item<bool>());
  EXPECT_EQ(missing, (std::vector<bool>{false, false, false, true}));
  std::vector<TensorDict> items;
  for (size_t row = 0; row < train.size(); ++row) items.push_back(encode(*block, train, row));
  EXPECT_TRUE(torch::equal(block->collate(items).at("missing"), torch::tensor({false, false, false, true})));
}

TEST(TableBlock, RareCategoriesFoldIntoTheMissingCode) {
  auto block = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}, {"min_freq", 2}});
  const Records train = color_table();
  block->setup(train);
  EXPECT_EQ(block->dims()["cardinalities"][0], 2);  // #na#, red (blue and green seen once)
  EXPECT_EQ(encode(*block, train, 4).at("cat")[0].item<int64_t>(), 0);  // green
  EXPECT_EQ(encode(*block, train, 0).at("cat")[0].item<int64_t>(), 1);  // red
}

TEST(TableBlock, LearnsOnTrainingRowsOnly) {
  auto block = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}});
  const Records all = color_table();
  block->setup(all.subset({0, 1}));  // red/1, blue/2: median 1.5, mean 1.5
  const Records valid = all.subset({4});
  auto row = encode(*block, valid, 0);
  EXPECT_EQ(row.at("cat")[0].item<int64_t>(), 0);  // green never seen in train
  EXPECT_NEAR(row.at("cont")[0].item<float>(), (10.0 - 1.5) / std::sqrt(0.5), 1e-5);
  EXPECT_EQ(block->dims()["cat_names"], json({"color"}));  // no gaps in train: no x_na flag
}

TEST(TableBlock, InfersKindsLikeFastai) {
  const Records train = make_records({{"grade", {"1", "2", "3", "1", "2", "3"}},
                                      {"income", {"10.5", "20", "30", "", "50", "60"}},
                                      {"count", {"1", "2", "3", "4", "5", "6"}},
                                      {"city", {"a", "b", "c", "a", "b", "7"}},
                                      {"label", {"y", "n", "y", "n", "y", "n"}}});
  auto block = make_block({{"exclude", {"label"}}, {"max_card", 5}});
  block->setup(train);
  const json dims = block->dims();
  EXPECT_EQ(dims["cat_names"], json({"grade", "city", "income_na"}));
  EXPECT_EQ(dims["cont_names"], json({"income", "count"}));
  // numeric categories sort numerically
  EXPECT_EQ(block->state()["cats"][0]["vocab"], json({"#na#", "1", "2", "3"}));
  EXPECT_EQ(block->columns(), (std::vector<std::string>{"grade", "city", "income", "count"}));
}

TEST(TableBlock, DatePartsMatchTheCalendar) {
  const Records train = make_records({{"d", {"2023-12-31", "2024-02-29", "2021-01-01T10:00:00", ""}}});
  auto block = make_block({{"date_names", {"d"}}, {"normalize", false}});
  block->setup(train);
  const json dims = block->dims();
  const auto cat_names = dims["cat_names"].get<std::vector<std::string>>();
  const auto cont_names = dims["cont_names"].get<std::vector<std::string>>();
  const json state = block->state();
  const auto cat_value = [&](size_t row, const std::string& name) {
    const size_t i = std::find(cat_names.begin(), cat_names.end(), name) - cat_names.begin();
    EXPECT_LT(i, cat_names.size()) << name;
    const int64_t code = encode(*block, train, row).at("cat")[i].item<int64_t>();
    return state["cats"][i]["vocab"][code].get<std::string>();
  };
  const auto cont_value = [&](size_t row, const std::string& name) {
    const size_t i = std::find(cont_names.begin(), cont_names.end(), name) - cont_names.begin();
    EXPECT_LT(i, cont_names.size()) << name;
    return encode(*block, train, row).at("cont")[i].item<float>();
  };
  EXPECT_EQ(cat_value(0, "d_Month"), "12");
  EXPECT_EQ(cat_value(0, "d_Dayofweek"), "6");  // Sunday
  EXPECT_EQ(cat_value(0, "d_Week"), "52");
  EXPECT_EQ(cat_value(0, "d_Is_month_end"), "1");
  EXPECT_EQ(cat_value(0, "d_Is_quarter_end"), "1");
  EXPECT_EQ(cat_value(0, "d_Is_year_end"), "1");
  EXPECT_EQ(cat_value(1, "d_Is_month_end"), "1");  // leap day
  EXPECT_EQ(cat_value(1, "d_Dayofweek"), "3");     // Thursday
  EXPECT_EQ(cat_value(2, "d_Week"), "53");         // ISO week of 2021-01-01
  EXPECT_EQ(cat_value(2, "d_Is_year_start"), "1");
  EXPECT_EQ(cat_value(3, "d_na"), "True");
  EXPECT_EQ(cat_value(3, "d_Month"), "#na#");
  EXPECT_FLOAT_EQ(cont_value(0, "d_Year"), 2023);
  EXPECT_FLOAT_EQ(cont_value(1, "d_Dayofyear"), 60);
  EXPECT_FLOAT_EQ(cont_value(0, "d_Elapsed"), 19722);  // days since 1970-01-01
  EXPECT_FLOAT_EQ(cont_value(3, "d_Year"), 2023);      // missing -> median of 2021, 2023, 2024
}

TEST(TableBlock, LogTransformAndAColumnOfBothKinds) {
  const Records train = make_records({{"gain", {"0", "0", "99", "9999", ""}}});
  auto block = make_block({{"cat_names", {"gain"}}, {"cont_names", {"gain"}}, {"log_names", {"gain"}},
                           {"normalize", false}});
  block->setup(train);
  EXPECT_EQ(block->dims()["cat_names"], json({"gain", "gain_na"}));
  EXPECT_EQ(block->dims()["cont_names"], json({"gain"}));
  EXPECT_EQ(block->columns(), (std::vector<std::string>{"gain"}));
  EXPECT_NEAR(encode(*block, train, 2).at("cont")[0].item<float>(), std::log(100.0), 1e-5);
  EXPECT_NEAR(encode(*block, train, 4).at("cont")[0].item<float>(), std::log(100.0) / 2, 1e-5);  // median of logs
  EXPECT_EQ(encode(*block, train, 3).at("cat")[0].item<int64_t>(), 3);  // #na#, 0, 99, 9999
}

TEST(TableBlock, StateRoundTripEncodesIdentically) {
  const Records train = color_table();
  auto block = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}, {"min_freq", 1}});
  block->setup(train);
  const json state = json::parse(block->state().dump());  // through text, as in an export
  auto loaded = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}});
  loaded->load_state(state);
  EXPECT_EQ(loaded->dims(), block->dims());
  EXPECT_EQ(loaded->columns(), block->columns());
  for (size_t r = 0; r < train.size(); ++r) {
    auto a = encode(*block, train, r), b = encode(*loaded, train, r);
    EXPECT_TRUE(torch::equal(a.at("cat"), b.at("cat")));
    EXPECT_TRUE(torch::equal(a.at("cont"), b.at("cont")));
  }
}

TEST(TableBlock, BadNumberNamesRowColumnAndValue) {
  auto block = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}});
  block->setup(color_table());
  const Records bad = make_records({{"color", {"red", "red"}}, {"x", {"3", "3,5"}}});
  tabular_test::expect_error<DataError>([&] { encode(*block, bad, 1); }, {"t.csv:3", "'x'", "'3,5'", "not a number"});
  const Records bad_train = make_records({{"color", {"red", "red"}}, {"x", {"3", "12abc"}}});
  auto fresh = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}});
  tabular_test::expect_error<DataError>([&] { fresh->setup(bad_train); }, {"t.csv:3", "'x'", "'12abc'"});
}

TEST(TableBlock, MissingColumnAtPredictTimeIsClear) {
  auto block = make_block({{"cat_names", {"color"}}, {"cont_names", {"x"}}});
  block->setup(color_table());
  const Records no_x = make_records({{"color", {"red"}}});
  tabular_test::expect_error<DataError>([&] { encode(*block, no_x, 0); }, {"column 'x' is missing", "empty value"});
  auto wrong = make_block({{"cat_names", {"colour"}}});
  tabular_test::expect_error<DataError>([&] { wrong->setup(color_table()); }, {"cat_names", "'colour'", "color, x"});
}

TEST(TableBlock, OptionErrorsNameTheOption) {
  tabular_test::expect_error<OptionError>([] { make_block({{"cat_names", {"a", "b", "a"}}}); },
                                          {"cat_names", "'a'", "listed twice"});
  tabular_test::expect_error<OptionError>([] { make_block({{"cont_names", {"d"}}, {"date_names", {"d"}}}); },
                                          {"cont_names", "'d'", "date_names"});
  tabular_test::expect_error<OptionError>([] { make_block({{"cont_names", {"x"}}, {"log_names", {"y"}}}); },
                                          {"log_names", "'y'"});
  tabular_test::expect_error<OptionError>([] { make_block({{"min_freq", 0}}); }, {"min_freq"});
}

TEST(TableBlock, EmbeddingSizeRule) {
  // min(600, round(1.6 * n^0.56))
  for (auto [n, expected] : std::vector<std::pair<int, int>>{{2, 2}, {4, 3}, {10, 6}, {1000, 77}}) {
    const std::vector<std::string> values = [&] {
      std::vector<std::string> v;
      for (int i = 0; i < n - 1; ++i) v.push_back("v" + std::to_string(i));
      return v;
    }();
    auto block = make_block({{"cat_names", {"c"}}});
    block->setup(make_records({{"c", values}}));
    EXPECT_EQ(block->dims()["embedding_sizes"][0], expected) << n;
  }
}

}  // namespace
}  // namespace adapt
