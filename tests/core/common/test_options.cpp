// Option schemas: validation messages carry the JSON path, the bad value and what is allowed.
#include <gtest/gtest.h>

#include "adapt/common/options.h"

using adapt::json;
using adapt::OptionError;
using adapt::Options;
using adapt::OptionSchema;
using adapt::OptionSpec;
using adapt::OptionType;

namespace {

OptionSchema mlp_schema() {
  return {
      OptionSpec("layers", OptionType::integer_list, json::array({64, 32}), "hidden sizes").greater_than(0),
      OptionSpec("dropout", OptionType::number, 0.1, "dropout probability").min(0).max(1),
      OptionSpec("activation", OptionType::string, "relu", "activation").choices({"relu", "gelu"}),
      OptionSpec("batch_norm", OptionType::boolean, true, "use batch norm"),
      OptionSpec("column", OptionType::string, "", "input column").required(),
      OptionSpec("seed", OptionType::integer, nullptr, "optional seed"),
  };
}

std::string error_of(const json& given, const std::string& path = "model") {
  try {
    Options(mlp_schema(), given, path);
  } catch (const OptionError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(Options, DefaultsAreFilledAndTypedAccessorsWork) {
  Options o(mlp_schema(), {{"name", "core.mlp"}, {"column", "x"}, {"dropout", 0.25}}, "model");
  EXPECT_EQ(o.integers("layers"), (std::vector<int64_t>{64, 32}));
  EXPECT_DOUBLE_EQ(o.number("dropout"), 0.25);
  EXPECT_EQ(o.string("activation"), "relu");
  EXPECT_TRUE(o.boolean("batch_norm"));
  EXPECT_EQ(o.string("column"), "x");
  EXPECT_FALSE(o.has("seed"));  // optional without default stays null
  EXPECT_TRUE(o.has("layers"));
  EXPECT_EQ(o.values()["name"], "core.mlp");
  EXPECT_EQ(o.path(), "model");
}

TEST(Options, ElementOutOfRangeNamesItsIndex) {
  EXPECT_EQ(error_of({{"column", "x"}, {"layers", {64, -3}}}), "model.layers[1]: must be > 0, got -3");
}

TEST(Options, BoundsAreInclusiveAndReported) {
  EXPECT_EQ(error_of({{"column", "x"}, {"dropout", 1.5}}), "model.dropout: must be <= 1, got 1.5");
  EXPECT_EQ(error_of({{"column", "x"}, {"dropout", -0.5}}), "model.dropout: must be >= 0, got -0.5");
  EXPECT_EQ(error_of({{"column", "x"}, {"dropout", 1}}), "no error");
  EXPECT_EQ(error_of({{"column", "x"}, {"dropout", 0}}), "no error");
}

TEST(Options, WrongTypes) {
  EXPECT_EQ(error_of({{"column", "x"}, {"dropout", "high"}}), "model.dropout: expected a number, got \"high\"");
  EXPECT_EQ(error_of({{"column", "x"}, {"layers", 64}}), "model.layers: expected a list of integers, got 64");
  EXPECT_EQ(error_of({{"column", "x"}, {"layers", {64, 2.5}}}), "model.layers[1]: expected an integer, got 2.5");
  EXPECT_EQ(error_of({{"column", "x"}, {"batch_norm", 1}}), "model.batch_norm: expected true or false, got 1");
  EXPECT_EQ(error_of({{"column", 3}}), "model.column: expected a string, got 3");
  // 2^64-1 used to wrap to -1 and be reported as "got -1".
  EXPECT_EQ(error_of({{"column", "x"}, {"seed", json(18446744073709551615ULL)}}),
            "model.seed: expected an integer up to 2^63-1, got 18446744073709551615");
}

TEST(Options, IntegralFloatsCountAsIntegers) {
  Options o(mlp_schema(), {{"column", "x"}, {"layers", {64.0, 8}}, {"seed", 7.0}}, "model");
  EXPECT_EQ(o.integers("layers"), (std::vector<int64_t>{64, 8}));
  EXPECT_EQ(o.integer("seed"), 7);
  EXPECT_TRUE(o.values()["seed"].is_number_integer());
}

TEST(Options, ChoicesAreListed) {
  EXPECT_EQ(error_of({{"column", "x"}, {"activation", "tanh"}}),
            "model.activation: must be one of \"relu\", \"gelu\"; got \"tanh\"");
}

TEST(Options, UnknownKeyListsKnownOnesAndSuggests) {
  std::string message = error_of({{"column", "x"}, {"layer", {1}}});
  EXPECT_EQ(message,
            "model.layer: unknown option (did you mean \"layers\"?); known options: activation, batch_norm, column, "
            "dropout, layers, seed");
  // Far from every known name: no suggestion.
  EXPECT_EQ(error_of({{"column", "x"}, {"zzzzzzzz", 1}}).find("did you mean"), std::string::npos);
}

TEST(Options, RequiredOptionMissing) {
  EXPECT_EQ(error_of(json::object()), "model.column: required option is missing (string: input column)");
}

TEST(Options, NotAnObject) {
  EXPECT_EQ(error_of(json::array({1})), "model: expected an object like {\"name\": \"plugin.component\", ...}, got [1]");
  // null is "nothing given": only the defaults (and the required check).
  EXPECT_EQ(error_of(nullptr), "model.column: required option is missing (string: input column)");
}

TEST(Options, NonFiniteNumbersAreRejected) {
  OptionSpec spec("lr", OptionType::number, 0.1, "learning rate");
  EXPECT_THROW(spec.check(std::numeric_limits<double>::infinity(), "train.lr"), OptionError);
}

TEST(Options, AccessorOfUndeclaredKeyIsAClearError) {
  Options o(mlp_schema(), {{"column", "x"}}, "inputs[0]");
  try {
    o.integer("width");
    FAIL() << "expected OptionError";
  } catch (const OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("inputs[0].width"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not declare"), std::string::npos) << e.what();
  }
  EXPECT_THROW(o.integer("activation"), OptionError);  // declared but a string
  EXPECT_EQ(std::string(o.error("layers", "must be increasing").what()), "inputs[0].layers: must be increasing");
}

TEST(Options, EmptyPathOmitsTheDot) {
  EXPECT_EQ(error_of({{"column", "x"}, {"dropout", 2}}, ""), "dropout: must be <= 1, got 2");
}

TEST(Options, DescribeListsEverything) {
  json d = OptionSpec("n_fft", OptionType::integer, 400, "FFT size").min(2).describe();
  EXPECT_EQ(d["name"], "n_fft");
  EXPECT_EQ(d["type"], "integer");
  EXPECT_EQ(d["default"], 400);
  EXPECT_EQ(d["min"], 2.0);
  EXPECT_EQ(d["help"], "FFT size");
  EXPECT_FALSE(d["required"].get<bool>());
  json r = OptionSpec("column", OptionType::string, "", "c").required().describe();
  EXPECT_TRUE(r["required"].get<bool>());
  EXPECT_FALSE(r.contains("default"));
}
