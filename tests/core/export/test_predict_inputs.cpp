// adapt predict on records of several columns: CSV and JSON-lines files, and columns of a joined
// table looked up by key at predict time, all giving the predictions of the full rows.
#include <gtest/gtest.h>

#include <sstream>

#include "adapt/data/csv.h"
#include "adapt/export/export.h"
#include "adapt/run/train_recipe.h"
#include "core/support/learner_fixtures.h"
#include "support/expect_error.h"

using namespace adapt;
using namespace adapt::testing;

namespace {

// rings.csv split in two: x1, x2 and the label by id, and x3, x4 in extra.csv by the same id.
json joined_rings_recipe(const TempDir& dir) {
  json recipe = rings_recipe(dir.path, 400, 1);
  const Records rings = read_csv_file((dir.path / "rings.csv").string());
  std::string main = "id,x1,x2,label\n", extra = "id,x3,x4\n";
  for (size_t r = 0; r < rings.size(); ++r) {
    main += std::to_string(r) + "," + rings.at(r, "x1") + "," + rings.at(r, "x2") + "," + rings.at(r, "label") + "\n";
    extra += std::to_string(r) + "," + rings.at(r, "x3") + "," + rings.at(r, "x4") + "\n";
  }
  dir.write("main.csv", main);
  dir.write("extra.csv", extra);
  recipe["reader"] = {{"name", "core.csv"}, {"path", (dir.path / "main.csv").string()},
                      {"join", {{"path", (dir.path / "extra.csv").string()}, {"on", "id"}}}};
  recipe.erase("baselines");
  return recipe;
}

}  // namespace

TEST(PredictInputs, TableFilesJsonLinesAndJoinedColumnsGiveTheFullRowsPredictions) {
  TempDir dir("predict_inputs");
  std::ostringstream out;
  RunOptions options = quiet(out);
  options.out_dir = dir.path / "run";
  options.write_files = true;
  RunResult run = train_recipe(joined_rings_recipe(dir), options, core_test_registry());
  Predictor predictor = Predictor::load(run.model_file, core_test_registry());
  const Records rings = read_csv_file((dir.path / "rings.csv").string());

  // Reference: the full rows, every input column given.
  Records full({"x1", "x2", "x3", "x4"}, "full");
  for (size_t r : {3, 17}) full.add_row({rings.at(r, "x1"), rings.at(r, "x2"), rings.at(r, "x3"), rings.at(r, "x4")});
  const auto expected = predictor.predict(full);

  // A row gives the key instead of the joined columns, in any order of name=value pairs.
  const auto by_key = predictor.predict_inputs({"id=3,x1=" + rings.at(3, "x1") + ",x2=" + rings.at(3, "x2"),
                                                "x2=" + rings.at(17, "x2") + ",id=17,x1=" + rings.at(17, "x1")});
  EXPECT_EQ(by_key, expected);

  dir.write("rows.jsonl", "{\"x1\": " + rings.at(3, "x1") + ", \"x2\": " + rings.at(3, "x2") + ", \"id\": 3}\n\n" +
                              "{\"id\": \"17\", \"x1\": \"" + rings.at(17, "x1") + "\", \"x2\": " + rings.at(17, "x2") +
                              ", \"note\": [1]}\n");
  EXPECT_EQ(predictor.predict_inputs({(dir.path / "rows.jsonl").string()}), expected);

  dir.write("rows.csv", "note,x2,id,x1\na," + rings.at(3, "x2") + ",3," + rings.at(3, "x1") + "\nb," + rings.at(17, "x2") +
                            ",17," + rings.at(17, "x1") + "\n");
  EXPECT_EQ(predictor.predict_inputs({(dir.path / "rows.csv").string()}), expected);

  // Bad rows name the file, the line and the field.
  dir.write("bad.jsonl", "{\"x1\": 1, \"x2\": 2, \"id\": 3}\n{\"x1\": 1, \"x2\": 2}\n");
  EXPECT_THROW_WITH(predictor.predict_inputs({(dir.path / "bad.jsonl").string()}), DataError, "bad.jsonl:2",
                    "no field \"id\"");
  dir.write("broken.jsonl", "{\"x1\": 1,\n");
  EXPECT_THROW_WITH(predictor.predict_inputs({(dir.path / "broken.jsonl").string()}), DataError, "broken.jsonl:1",
                    "not valid JSON");
  dir.write("nested.jsonl", "{\"x1\": [1], \"x2\": 2, \"id\": 3}\n");
  EXPECT_THROW_WITH(predictor.predict_inputs({(dir.path / "nested.jsonl").string()}), DataError, "nested.jsonl:1",
                    "\"x1\"", "array");
  dir.write("short.csv", "x1,x2\n1,2\n");
  EXPECT_THROW_WITH(predictor.predict_inputs({(dir.path / "short.csv").string()}), DataError, "short.csv",
                    "no column \"id\"");
  // A key the joined table lacks is an error naming it and the table.
  EXPECT_THROW_WITH(predictor.predict_inputs({"id=9999,x1=0,x2=0"}), DataError, "\"9999\"", "extra.csv");
}
