// The README's "Embedding the core" snippet is compiled here as C++17, and the test below checks that
// the README still shows exactly these lines, so the two cannot drift apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// --- the README's snippet, verbatim ----------------------------------------------------------------
#include <adapt/export/export.h>
#include <adapt/plugin/plugin_host.h>
#include <adapt/run/train_recipe.h>

[[maybe_unused]] static void readme_snippet() {
adapt::Registry& registry = adapt::global_registry();   // core + plugins on the search path
adapt::RunOptions options;
options.out_dir = "run";
adapt::RunResult run = adapt::train_recipe(adapt::load_recipe("recipe.json"), options, registry);
adapt::Predictor predictor = adapt::Predictor::load(run.model_file, registry);
std::vector<adapt::json> predictions = predictor.predict_inputs({"clip.wav"});
}
// --- end of the snippet ------------------------------------------------------------------------------

namespace {

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Readme, EmbeddingSnippetIsTheCompiledOne) {
  const std::string readme = read(std::filesystem::path(ADAPT_TEST_SOURCE_DIR) / "README.md");
  const std::string self = read(std::filesystem::path(ADAPT_TEST_SOURCE_DIR) / "tests/apps/test_readme_snippet.cpp");
  const auto begin = readme.find("```cpp\n");
  ASSERT_NE(begin, std::string::npos) << "README.md has no ```cpp block";
  const auto end = readme.find("```", begin + 7);
  std::istringstream snippet(readme.substr(begin + 7, end - begin - 7));
  int lines = 0;
  for (std::string line; std::getline(snippet, line);) {
    if (line.empty()) continue;
    ++lines;
    EXPECT_NE(self.find("\n" + line + "\n"), std::string::npos) << "README line not compiled here: " << line;
  }
  EXPECT_GE(lines, 6);
}

}  // namespace
