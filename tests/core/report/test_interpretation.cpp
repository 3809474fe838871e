// Interpretation on a hand-made example: confusion matrix, most confused, top losses, CSV files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "adapt/model/losses.h"
#include "adapt/report/interpretation.h"

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Example {
  // 6 items, classes cat/dog/bird. Targets: cat cat dog dog bird bird.
  // Predictions:                            cat dog dog cat dog  bird
  torch::Tensor outputs = torch::tensor({{2.0, 0.0, 0.0},
                                         {0.0, 1.0, 0.0},
                                         {0.0, 3.0, 0.0},
                                         {2.0, 0.0, 1.0},
                                         {0.0, 2.0, 0.0},
                                         {0.0, 0.0, 4.0}});
  torch::Tensor targets = torch::tensor({0, 0, 1, 1, 2, 2}, torch::kLong);
  std::vector<size_t> rows = {10, 11, 12, 13, 14, 15};
  std::vector<std::string> classes = {"cat", "dog", "bird"};
  torch::Tensor losses() const { return adapt::CrossEntropyLoss().per_item(outputs, targets); }
};

TEST(InterpretationTest, ConfusionMatrixAndMostConfused) {
  Example e;
  adapt::Interpretation interp(e.outputs, e.targets, e.losses(), e.rows, e.classes);
  auto expected = torch::tensor({{1, 1, 0}, {1, 1, 0}, {0, 1, 1}}, torch::kLong);
  EXPECT_TRUE(torch::equal(interp.confusion_matrix(), expected)) << interp.confusion_matrix();
  auto pairs = interp.most_confused();
  ASSERT_EQ(pairs.size(), 3u);
  // All counts 1: ordered by actual then predicted name.
  EXPECT_EQ(pairs[0].actual, "bird");
  EXPECT_EQ(pairs[0].predicted, "dog");
  EXPECT_EQ(pairs[1].actual, "cat");
  EXPECT_EQ(pairs[2].actual, "dog");
  EXPECT_EQ(pairs[2].predicted, "cat");
  EXPECT_TRUE(interp.most_confused(2).empty());
  const std::string text = interp.confusion_matrix_text();
  EXPECT_NE(text.find("actual\\predicted"), std::string::npos) << text;
  EXPECT_NE(text.find("bird"), std::string::npos);
}

TEST(InterpretationTest, TopLossesAreSortedWithProbabilities) {
  Example e;
  std::vector<std::string> items = {"a.wav", "b.wav", "c.wav", "d.wav", "e,f.wav", "g.wav"};
  adapt::Interpretation interp(e.outputs, e.targets, e.losses(), e.rows, e.classes, items);
  auto top = interp.top_losses(2);
  ASSERT_EQ(top.size(), 2u);
  // Highest: row 13 (dog predicted cat with logits 2,0,1): loss = log(e^2 + 1 + e) - 0.
  EXPECT_EQ(top[0].row, 13u);
  EXPECT_EQ(top[0].actual, "dog");
  EXPECT_EQ(top[0].predicted, "cat");
  EXPECT_NEAR(top[0].loss, std::log(std::exp(2.0) + 1 + std::exp(1.0)), 1e-5);
  EXPECT_NEAR(top[0].probability, std::exp(2.0) / (std::exp(2.0) + 1 + std::exp(1.0)), 1e-6);
  EXPECT_EQ(top[0].item, "d.wav");
  // Next: row 14 (bird as dog, logits 0,2,0): log(2 + e^2).
  EXPECT_EQ(top[1].row, 14u);
  EXPECT_NEAR(top[1].loss, std::log(2 + std::exp(2.0)), 1e-5);
  EXPECT_EQ(interp.top_losses(100).size(), 6u);
}

TEST(InterpretationTest, CsvFilesAreWrittenAndQuoted) {
  Example e;
  std::vector<std::string> items = {"a", "b", "c", "d", "e,\"f\"", "g"};
  adapt::Interpretation interp(e.outputs, e.targets, e.losses(), e.rows, e.classes, items);
  const fs::path dir = fs::temp_directory_path() / ("adapt_interp_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  interp.write_confusion_matrix_csv(dir / "confusion.csv");
  interp.write_most_confused_csv(dir / "confused.csv");
  interp.write_top_losses_csv(dir / "top.csv", 2);
  EXPECT_EQ(read(dir / "confusion.csv"), "actual,cat,dog,bird\ncat,1,1,0\ndog,1,1,0\nbird,0,1,1\n");
  EXPECT_EQ(read(dir / "confused.csv"),
            "actual,predicted,count\nbird,dog,1\ncat,dog,1\ndog,cat,1\n");
  const std::string top = read(dir / "top.csv");
  EXPECT_EQ(top.substr(0, top.find('\n')), "row,actual,predicted,probability,loss,item");
  EXPECT_NE(top.find("\"e,\"\"f\"\"\""), std::string::npos) << top;
  fs::remove_all(dir);
}

TEST(InterpretationTest, RegressionTopLossesAndBadSizes) {
  auto out = torch::tensor({{1.0}, {5.0}, {2.0}});
  auto y = torch::tensor({1.5, 2.0, 2.0});
  auto losses = (out.squeeze(1) - y).pow(2);
  adapt::Interpretation interp(out, y, losses, {0, 1, 2}, {});
  auto top = interp.top_losses(1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].row, 1u);
  EXPECT_EQ(top[0].actual, "2");
  EXPECT_EQ(top[0].predicted, "5");
  EXPECT_DOUBLE_EQ(top[0].loss, 9.0);
  EXPECT_THROW(interp.confusion_matrix(), adapt::Error);
  EXPECT_THROW(adapt::Interpretation(out, y, losses, {0, 1}, {}), adapt::Error);
  Example e;
  EXPECT_THROW(adapt::Interpretation(e.outputs, e.targets, e.losses(), e.rows, {"a", "b"}), adapt::Error);
}

}  // namespace
