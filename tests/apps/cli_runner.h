#pragma once
// Runs the `adapt` binary as a user does (through the shell) and captures its exit code, stdout and
// stderr; shared by the suites of tests/apps.
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace cli_test {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

inline fs::path scratch() {
  static fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "adapt_cli_XXXXXX").string();
    return fs::path(::mkdtemp(pattern.data()));
  }();
  return dir;
}

inline std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `adapt ARGS` through the shell; stdout and stderr are captured separately. The plugin cache
// lives in the scratch directory, never in the user's.
inline Result adapt_cli(const std::string& args, const std::string& environment = "") {
  const fs::path out = scratch() / "out.txt", err = scratch() / "err.txt";
  std::string command = "XDG_CACHE_HOME='" + (scratch() / "cache").string() + "' " + environment + " '" + ADAPT_CLI +
                        "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  int status = std::system(command.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline const std::string kWithTestPlugins = std::string("--plugin-path '") + ADAPT_TEST_PLUGIN_DIR + "' ";

// A small problem for core components only, in `dir`: points.csv (a, b; label "up" where a + b > 0) and
// recipe.json (core.mlp, one epoch); returns the recipe's path.
inline fs::path write_points_recipe(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream csv(dir / "points.csv");
  csv << "a,b,label\n";
  for (int i = 0; i < 120; ++i) {
    double a = (i % 12) / 6.0 - 1.0, b = (i / 12) / 5.0 - 1.0;
    csv << a << "," << b << "," << (a + b > 0 ? "up" : "down") << "\n";
  }
  std::ofstream recipe(dir / "recipe.json");
  recipe << nlohmann::json{{"seed", 1},
                           {"reader", {{"name", "core.csv"}, {"path", (dir / "points.csv").string()}}},
                           {"splitter", {{"name", "core.random"}, {"valid_pct", 0.25}}},
                           {"inputs", {{{"name", "core.regression"}, {"columns", {"a", "b"}}}}},
                           {"target", {{"name", "core.category"}, {"column", "label"}}},
                           {"loader", {{"batch_size", 16}, {"workers", 0}}},
                           {"model", {{"name", "core.mlp"}, {"layers", {6}}}},
                           {"train", {{"epochs", 1}, {"lr", 1e-2}}}};
  return dir / "recipe.json";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace cli_test
