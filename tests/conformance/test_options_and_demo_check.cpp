// check_options and check_demo pass correct components and report each broken one.
#include "broken_components.h"
#include "support/temp_dir.h"

namespace conformance_test {
namespace {

using adapt::OptionSpec;
using adapt::OptionType;

// Plugin "opts": one correct component, then one component per broken schema.
const adapt::Registry& options_registry(const std::string& broken) {
  static std::map<std::string, adapt::Registry*> registries;
  auto& r = registries[broken];
  if (r) return *r;
  r = new adapt::Registry();
  r->begin_plugin("opts", "", "0.1.0");
  auto block = [](const adapt::Options&) { return std::make_shared<MeanBlock>(); };
  r->add_block("opts.good", "a correct schema",
               {OptionSpec("n", OptionType::integer, 3, "how many").min(1).max(10),
                OptionSpec("mode", OptionType::string, "a", "which").choices({"a", "b"}),
                OptionSpec("column", OptionType::string, nullptr, "the column").required(),
                OptionSpec("range", OptionType::number_list, nullptr, "optional [low, high]")},
               block);
  std::map<std::string, adapt::OptionSchema> schemas = {
      {"default_below_min", {OptionSpec("n", OptionType::integer, 0, "how many").min(1)}},
      {"default_not_a_choice", {OptionSpec("mode", OptionType::string, "c", "which").choices({"a", "b"})}},
      {"default_of_wrong_type", {OptionSpec("n", OptionType::integer, "three", "how many")}},
      {"no_help", {OptionSpec("n", OptionType::integer, 3, "")}},
      {"two_line_help", {OptionSpec("n", OptionType::integer, 3, "how many\nand why")}},
      {"reserved_key", {OptionSpec("key", OptionType::string, "x", "the key")}},
  };
  if (broken == "component_help")
    r->add_block("opts.bad", "", {}, block);
  else if (!broken.empty())
    r->add_block("opts.bad", "a broken schema", schemas.at(broken), block);
  r->end_plugin();
  return *r;
}

void check_options(const std::string& broken) { adapt::testing::check_options(options_registry(broken), "opts"); }

TEST(OptionsCheck, PassesCorrectSchemas) { check_options(""); }

TEST(OptionsCheck, CatchesADefaultOutsideItsBounds) {
  EXPECT_NONFATAL_FAILURE(check_options("default_below_min"), "block opts.bad, option \"n\": its default 0 breaks");
}

TEST(OptionsCheck, CatchesADefaultThatIsNotAChoice) {
  EXPECT_NONFATAL_FAILURE(check_options("default_not_a_choice"), "its default \"c\" breaks its own spec");
}

TEST(OptionsCheck, CatchesADefaultOfTheWrongType) {
  EXPECT_NONFATAL_FAILURE(check_options("default_of_wrong_type"), "its default \"three\" breaks its own spec");
}

TEST(OptionsCheck, CatchesMissingHelp) { EXPECT_NONFATAL_FAILURE(check_options("no_help"), "needs one line of help"); }

TEST(OptionsCheck, CatchesHelpOnTwoLines) {
  EXPECT_NONFATAL_FAILURE(check_options("two_line_help"), "needs one line of help");
}

TEST(OptionsCheck, CatchesComponentWithoutHelp) {
  EXPECT_NONFATAL_FAILURE(check_options("component_help"), "block opts.bad: needs one line of help");
}

TEST(OptionsCheck, CatchesAReservedOptionName) {
  EXPECT_NONFATAL_FAILURE(check_options("reserved_key"), "\"key\" is reserved for the block kind");
}

void check_demo(const std::string& demo) {
  adapt::test_support::TempDir work("conformance_demo");
  adapt::testing::check_demo(broken_registry(), demo, work.path);
}

TEST(DemoCheck, PassesACorrectDemo) { check_demo("broken.tiny"); }

TEST(DemoCheck, CatchesGenerateWritingOtherBytes) {
  EXPECT_NONFATAL_FAILURE(check_demo("broken.stamped"), "wrote different bytes in: stamp.txt");
}

TEST(DemoCheck, CatchesPredictInputsThatAreTrainingRows) {
  expect_caught(failures_of([] { check_demo("broken.predicts_training_rows"); }), {"is a training row (", "data.csv:"});
}

TEST(DemoCheck, CatchesAnExportThatPredictsDifferently) {
  expect_caught(failures_of([] { check_demo("broken.forgetful_export"); }),
                {"the reloaded export predicts differently from the trained model"});
}

TEST(DemoCheck, CutsTheTrainingBudget) {
  const adapt::json recipe = {{"train", {{"phases", {{{"epochs", 5}, {"lr", "find"}}, {{"epochs", 3}}}}}}};
  const adapt::json tiny = adapt::testing::with_tiny_budget(recipe, 1);
  EXPECT_EQ(tiny["train"]["phases"], adapt::json::parse(R"([{"epochs": 1, "lr": 0.001}])"));
  EXPECT_EQ(adapt::testing::with_tiny_budget({{"train", {{"epochs", 8}}}}, 2)["train"]["epochs"], 2);
}

}  // namespace
}  // namespace conformance_test
