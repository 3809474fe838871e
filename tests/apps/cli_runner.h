#pragma once
// Runs the `adapt` binary as a user does (through the shell) and captures its exit code, stdout and
// stderr; shared by the suites of tests/apps.
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace cli_test
