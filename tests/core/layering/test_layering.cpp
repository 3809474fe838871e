// The core's folders form layers (docs/architecture.md, "The core by concept"): a folder includes its
// own headers and those of the folders before it in kLayers, never one after it. This reads every
// core source and public header and checks each #include of an adapt header against that order.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kLayers = {"common", "data",   "model",      "metrics", "train",
                                          "distributed", "baseline", "report", "inspect", "monitor", "plugin",
                                          "components", "recipe", "export", "explain", "run", "testing"};

int layer_of(const std::string& folder) {
  auto it = std::find(kLayers.begin(), kLayers.end(), folder);
  return it == kLayers.end() ? -1 : static_cast<int>(it - kLayers.begin());
}

// "adapt/<folder>/x.h" (public) or "<folder>/x.h" (private, from core/src) -> folder.
std::string included_folder(const std::string& path) {
  std::string p = path.rfind("adapt/", 0) == 0 ? path.substr(6) : path;
  auto slash = p.find('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}

std::vector<std::string> violations_in(const fs::path& root) {
  static const std::regex include(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string folder = entry.path().parent_path().filename().string();
    const int own = layer_of(folder);
    if (own < 0) {
      found.push_back(entry.path().string() + " lies in no known core folder");
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      std::smatch m;
      if (!std::regex_search(line, m, include)) continue;
      const int theirs = layer_of(included_folder(m[1]));
      if (theirs > own)
        found.push_back(entry.path().string() + ":" + std::to_string(n) + " (" + folder + ") includes " +
                        m[1].str() + ", a higher layer");
    }
  }
  return found;
}

TEST(CoreLayering, NoFolderIncludesAHigherOne) {
  const fs::path core = fs::path(ADAPT_TEST_SOURCE_DIR) / "core";
  for (const auto& root : {core / "include" / "adapt", core / "src"}) {
    ASSERT_TRUE(fs::is_directory(root)) << root;
    for (const auto& v : violations_in(root)) ADD_FAILURE() << v;
  }
}

TEST(CoreLayering, EveryFolderIsALayer) {
  const fs::path src = fs::path(ADAPT_TEST_SOURCE_DIR) / "core" / "src";
  for (const auto& entry : fs::directory_iterator(src)) {
    if (entry.is_directory()) {
      EXPECT_GE(layer_of(entry.path().filename().string()), 0)
          << entry.path() << " is not in kLayers: add it there and to docs/architecture.md";
    } else {
      ADD_FAILURE() << entry.path() << " lies outside the concept folders";
    }
  }
}

}  // namespace
