// Registry: naming rule, duplicates naming both files, rollback, creation with validated options.
#include <gtest/gtest.h>

#include "adapt/plugin/registry.h"

using adapt::json;
using adapt::Kind;
using adapt::OptionError;
using adapt::Options;
using adapt::OptionSpec;
using adapt::OptionType;
using adapt::PluginError;
using adapt::Registry;

namespace {

class FixedReader : public adapt::Reader {
 public:
  explicit FixedReader(std::string path) : path_(std::move(path)) {}
  adapt::Records read() const override {
    adapt::Records records({"path"}, path_);
    records.add_row({path_}, path_ + ":1");
    return records;
  }
  std::string path_;
};

adapt::ReaderFactory fixed_reader_factory() {
  return [](const Options& o) { return std::make_shared<FixedReader>(o.string("path")); };
}

adapt::OptionSchema reader_schema() {
  return {OptionSpec("path", OptionType::string, "", "file to read").required()};
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(Registry, CreatesFromValidatedOptions) {
  Registry r;
  r.add_reader("core.fixed", "reads one path", reader_schema(), fixed_reader_factory());
  auto reader = r.reader({{"name", "core.fixed"}, {"path", "a.csv"}}, "reader");
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->read().at(0, "path"), "a.csv");
  EXPECT_TRUE(r.has(Kind::reader, "core.fixed"));
  EXPECT_FALSE(r.has(Kind::block, "core.fixed"));
  EXPECT_EQ(r.info(Kind::reader, "core.fixed").plugin, "core");
  EXPECT_EQ(r.info(Kind::reader, "core.fixed").help, "reads one path");
}

TEST(Registry, OptionErrorsCarryTheRecipePath) {
  Registry r;
  r.add_reader("core.fixed", "", reader_schema(), fixed_reader_factory());
  EXPECT_EQ(message_of([&] { r.reader({{"name", "core.fixed"}}, "reader"); }),
            "reader.path: required option is missing (string: file to read)");
  EXPECT_EQ(message_of([&] { r.reader({{"name", "core.fixed"}, {"path", "a"}, {"pth", 1}}, "reader"); }),
            "reader.pth: unknown option (did you mean \"path\"?); known options: path");
}

TEST(Registry, UnknownNameListsWhatExistsAndSuggests) {
  Registry r;
  r.add_reader("core.fixed", "", reader_schema(), fixed_reader_factory());
  r.add_reader("core.csv", "", reader_schema(), fixed_reader_factory());
  EXPECT_EQ(message_of([&] { r.reader({{"name", "core.fixd"}}, "reader"); }),
            "reader.name: unknown reader \"core.fixd\" (did you mean \"core.fixed\"?); available: core.csv, core.fixed");
  std::string missing_plugin = message_of([&] { r.reader({{"name", "audio.folder"}}, "reader"); });
  EXPECT_NE(missing_plugin.find("No plugin named \"audio\" is loaded"), std::string::npos) << missing_plugin;
  EXPECT_EQ(message_of([&] { r.reader(json::object(), "reader"); }).rfind("reader: expected a reader name", 0), 0u);
  EXPECT_EQ(message_of([&] { r.block({{"name", "core.fixed"}}, "inputs[0]"); }),
            "inputs[0].name: unknown block \"core.fixed\"; no block is registered");
}

TEST(Registry, StringSpecIsAName) {
  Registry r;
  r.add_reader("core.fixed", "", {OptionSpec("path", OptionType::string, "d.csv", "")}, fixed_reader_factory());
  EXPECT_EQ(r.reader(json("core.fixed"), "reader")->read().at(0, "path"), "d.csv");
}

TEST(Registry, ComponentNamesMustCarryThePluginPrefix) {
  Registry r;
  EXPECT_THROW(r.add_reader("fixed", "", {}, fixed_reader_factory()), PluginError);
  EXPECT_THROW(r.add_reader("core.", "", {}, fixed_reader_factory()), PluginError);
  r.begin_plugin("audio", "/p/libaudio.so");
  std::string message = message_of([&] { r.add_reader("text.reader", "", {}, fixed_reader_factory()); });
  EXPECT_NE(message.find("must be \"audio.<component>\""), std::string::npos) << message;
  EXPECT_NE(message.find("/p/libaudio.so"), std::string::npos) << message;
  r.add_reader("audio.folder", "", {}, fixed_reader_factory());
  r.end_plugin();
  EXPECT_EQ(r.info(Kind::reader, "audio.folder").plugin_file, "/p/libaudio.so");
}

TEST(Registry, DuplicateComponentNamesBothFiles) {
  Registry r;
  r.begin_plugin("dup", "/a/libdup.so");
  r.add_reader("dup.thing", "", {}, fixed_reader_factory());
  r.end_plugin();
  r.begin_plugin("dup", "/b/libdup2.so");
  std::string message = message_of([&] { r.add_reader("dup.thing", "", {}, fixed_reader_factory()); });
  EXPECT_NE(message.find("registered twice"), std::string::npos) << message;
  EXPECT_NE(message.find("/a/libdup.so"), std::string::npos) << message;
  EXPECT_NE(message.find("/b/libdup2.so"), std::string::npos) << message;
  r.rollback_plugin();
  EXPECT_EQ(r.info(Kind::reader, "dup.thing").plugin_file, "/a/libdup.so");  // the first stays
}

TEST(Registry, RollbackRemovesEverythingOfThePlugin) {
  Registry r;
  r.add_reader("core.fixed", "", {}, fixed_reader_factory());
  r.begin_plugin("bad", "/p/libbad.so");
  r.add_reader("bad.one", "", {}, fixed_reader_factory());
  r.add_reader("bad.two", "", {}, fixed_reader_factory());
  r.rollback_plugin();
  EXPECT_FALSE(r.has(Kind::reader, "bad.one"));
  EXPECT_FALSE(r.has(Kind::reader, "bad.two"));
  EXPECT_TRUE(r.has(Kind::reader, "core.fixed"));
  EXPECT_TRUE(r.components_of_plugin("bad").empty());
  // After rollback the registry is back to registering for the core.
  r.add_reader("core.other", "", {}, fixed_reader_factory());
  EXPECT_EQ(r.info(Kind::reader, "core.other").plugin, "core");
}

TEST(Registry, ComponentsAreSortedByKindThenName) {
  Registry r;
  r.add_model("core.zeta", "", {}, [](const Options&, const adapt::ModelContext&) { return nullptr; });
  r.add_reader("core.b", "", {}, fixed_reader_factory());
  r.add_reader("core.a", "", {}, fixed_reader_factory());
  auto all = r.components();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name, "core.a");
  EXPECT_EQ(all[1].name, "core.b");
  EXPECT_EQ(all[2].kind, Kind::model);
}

TEST(Registry, ReservedKeysAreStrippedByKind) {
  Registry r;
  r.add_model("core.net", "", {OptionSpec("width", OptionType::integer, 8, "")},
              [](const Options&, const adapt::ModelContext&) { return nullptr; });
  r.add_reader("core.fixed", "", {}, fixed_reader_factory());
  Options model = r.options(Kind::model, {{"name", "core.net"}, {"init_from", {{"file", "lm.adapt"}}}}, "model");
  EXPECT_FALSE(model.values().contains("init_from"));
  EXPECT_EQ(model.integer("width"), 8);
  // A reader has no reserved keys: "key" is unknown there.
  EXPECT_THROW(r.options(Kind::reader, {{"name", "core.fixed"}, {"key", "x"}}, "reader"), OptionError);
}

TEST(Registry, DuplicateOptionInSchemaIsRejected) {
  Registry r;
  adapt::OptionSchema twice = {OptionSpec("a", OptionType::integer, 1, ""), OptionSpec("a", OptionType::integer, 1, "")};
  EXPECT_THROW(r.add_reader("core.twice", "", twice, fixed_reader_factory()), PluginError);
}

TEST(Registry, FactoryFailuresNameTheComponent) {
  Registry r;
  r.add_reader("core.throws", "", {}, [](const Options&) -> std::shared_ptr<adapt::Reader> {
    throw std::runtime_error("disk on fire");
  });
  r.add_reader("core.null", "", {}, [](const Options&) -> std::shared_ptr<adapt::Reader> { return nullptr; });
  EXPECT_EQ(message_of([&] { r.reader(json("core.throws"), "reader"); }),
            "reader: creating reader \"core.throws\" failed: disk on fire");
  EXPECT_NE(message_of([&] { r.reader(json("core.null"), "reader"); }).find("returned nothing"), std::string::npos);
}
