// reader.join of core.csv: a second table joined by key (MovieLens ratings + movies by movieId), so
// content columns can feed a block; a key without a row, a repeated key and a clashing column are
// errors naming the file and line.
#include <gtest/gtest.h>

#include "adapt/plugin/registry.h"
#include "components/core_components.h"
#include "core/support/data_fixtures.h"
#include "support/expect_error.h"

using namespace adapt;
using namespace adapt::testing;

namespace {

const Registry& registry() {
  static const Registry* r = [] {
    auto* made = new Registry();
    register_core_components(*made);
    return made;
  }();
  return *r;
}

Records read(const json& spec) { return registry().reader(spec, "reader")->read(); }

json ratings_joined(const TempDir& dir, json join, const std::string& ratings = "ratings.csv") {
  join["path"] = (dir.path / "movies.csv").string();
  return {{"name", "core.csv"}, {"path", (dir.path / ratings).string()}, {"join", join}};
}

}  // namespace

TEST(JoinedReader, AddsTheSecondTablesColumnsByKey) {
  TempDir dir;
  dir.write("ratings.csv", "userId,movieId,rating\n1,10,4\n2,20,3\n1,20,5\n");
  dir.write("movies.csv", "movieId,title,genres\n20,\"Heat, 1995\",Action|Crime\n10,Toy Story,Animation\n");
  Records r = read(ratings_joined(dir, {{"on", "movieId"}}));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"userId", "movieId", "rating", "title", "genres"}));
  EXPECT_EQ(r.at(0, "title"), "Toy Story");
  EXPECT_EQ(r.at(1, "title"), "Heat, 1995");
  EXPECT_EQ(r.at(2, "genres"), "Action|Crime");
  Records only = read(ratings_joined(dir, {{"on", "movieId"}, {"columns", {"genres"}}}));
  EXPECT_FALSE(only.has_column("title"));
}

TEST(JoinedReader, AKeyWithoutARowIsAnErrorOrEmptyWhenAsked) {
  TempDir dir;
  dir.write("ratings.csv", "userId,movieId,rating\n1,10,4\n2,99,3\n");
  dir.write("movies.csv", "movieId,title\n10,Toy Story\n");
  EXPECT_THROW_WITH(read(ratings_joined(dir, {{"on", "movieId"}})), DataError, "ratings.csv:3", "movieId \"99\"",
                    "movies.csv", "reader.join.missing");
  Records r = read(ratings_joined(dir, {{"on", "movieId"}, {"missing", "empty"}}));
  EXPECT_EQ(r.at(1, "title"), "");
  EXPECT_EQ(r.at(0, "title"), "Toy Story");
}

TEST(JoinedReader, BadSecondTablesAndOptionsAreNamed) {
  TempDir dir;
  dir.write("ratings.csv", "userId,movieId\n1,10\n");
  dir.write("titled.csv", "userId,movieId,title\n1,10,x\n");
  dir.write("movies.csv", "movieId,title\n10,Toy Story\n10,Toy Story again\n");
  EXPECT_THROW_WITH(read(ratings_joined(dir, {{"on", "movieId"}, {"columns", {"nope"}}})), OptionError,
                    "reader.join.columns", "nope");
  EXPECT_THROW_WITH(read(ratings_joined(dir, {{"on", "movieId"}}, "titled.csv")), OptionError, "reader.join.columns",
                    "\"title\" is a column of both tables");
  EXPECT_THROW_WITH(read(ratings_joined(dir, {{"on", "movieId"}})), DataError, "movies.csv:3", "appears again",
                    "movies.csv:2");
  EXPECT_THROW_WITH(read(ratings_joined(dir, {{"on", "userId"}})), DataError, "movies.csv", "no column \"userId\"");
  EXPECT_THROW_WITH(read(ratings_joined(dir, {{"on", "missing_key"}})), OptionError, "reader.join.on",
                    "no column \"missing_key\"");
  EXPECT_THROW_WITH(read(ratings_joined(dir, {{"on", "movieId"}, {"how", "left"}})), OptionError, "reader.join.how");
  EXPECT_THROW_WITH(read(ratings_joined(dir, {{"on", "movieId"}, {"missing", "skip"}})), OptionError,
                    "reader.join.missing");
}
