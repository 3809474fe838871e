// The bash completion for `adapt` (apps/adapt/completion/adapt.bash): it offers every command and
// every option `adapt COMMAND --help` lists (so the two cannot drift apart), and completes as a user
// types.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "cli_runner.h"

namespace completion_test {

using namespace cli_test;

fs::path script() { return fs::path(ADAPT_TEST_SOURCE_DIR) / "apps/adapt/completion/adapt.bash"; }

// COMPREPLY after completing the words of `line` (the last one may be empty: a new word).
std::string complete(const std::string& line) {
  const fs::path words = scratch() / "words.txt", out = scratch() / "completion.txt";
  std::ofstream(words) << line;
  const std::string command =
      "XDG_CACHE_HOME='" + (scratch() / "cache").string() + "' bash -c 'source \"" + script().string() +
      "\"; read -r -a COMP_WORDS < \"" + words.string() + "\"; " + "COMP_WORDS[0]=\"" + ADAPT_CLI + "\"; " + "[[ \"" +
      line + "\" == *\" \" ]] && COMP_WORDS+=(\"\"); " +
      "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _adapt; echo \"${COMPREPLY[*]}\"' > '" + out.string() + "' 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::string text = slurp(out);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace completion_test

using namespace completion_test;

TEST(Completion, OffersEveryCommandAndOptionOfTheHelp) {
  const std::string completion = slurp(script());
  ASSERT_FALSE(completion.empty()) << script();
  const std::regex option("--[a-z][a-z-]+");
  for (const char* command : {"", "plugins", "plugins scan", "demo", "train", "report", "predict", "embed", "serve"}) {
    Result help = adapt_cli(std::string(command) + " --help");
    ASSERT_EQ(help.code, 0) << command << help.err;
    std::set<std::string> options;
    for (std::sregex_iterator it(help.out.begin(), help.out.end(), option), end; it != end; ++it)
      options.insert(it->str());
    EXPECT_FALSE(options.empty()) << command;
    for (const auto& name : options)
      EXPECT_NE(completion.find(name), std::string::npos)
          << "`adapt " << command << " --help` lists " << name << " but adapt.bash does not offer it";
  }
  for (const char* command : {"plugins", "demo", "train", "report", "predict", "embed", "serve"})
    EXPECT_NE(completion.find(command), std::string::npos) << command;
}

TEST(Completion, CompletesAsAUserTypes) {
  EXPECT_EQ(complete("adapt tr"), "train");
  EXPECT_EQ(complete("adapt train --dr"), "--dry-run");
  EXPECT_EQ(complete("adapt plugins sc"), "scan");
  EXPECT_EQ(complete("adapt --threads 2 pre"), "predict");
  EXPECT_EQ(complete("adapt rep"), "report");
  // Plugin names come from the plugin cache: "core" always, beside whatever the search path holds.
  const std::string info = complete("adapt plugins info ");
  EXPECT_NE(info.find("core"), std::string::npos) << info;
  EXPECT_NE(complete("adapt demo ").find("all"), std::string::npos);
}
