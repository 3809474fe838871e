// PluginHost with real shared libraries: the success path, every refusal, discovery order and
// first-wins. The plugins are purpose-built (test_plugin.cpp); none of the first-party plugins is used.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "adapt/common/version.h"
#include "adapt/plugin/plugin_host.h"
#include "adapt/plugin/plugin_manifest.h"
#include "support/temp_dir.h"
#include "test_plugin_files.h"

namespace fs = std::filesystem;
using adapt::Kind;
using adapt::PluginHost;
using adapt::PluginHostOptions;
using adapt::Registry;
using adapt::test_support::TempDir;

namespace {

using adapt::test_plugins::add_copy;
using adapt::test_plugins::kPlugins;
using adapt::test_plugins::plugin;


const std::string& only_failure(const PluginHost& host) {
  EXPECT_EQ(host.failures().size(), 1u);
  static const std::string none = "(no failure)";
  return host.failures().empty() ? none : host.failures()[0].reason;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Set by a test plugin's static initialiser when the dynamic loader opened it (test_plugin.cpp).
bool was_loaded(const std::string& variant) {
  return std::getenv(("ADAPT_TEST_LOADED_libadapt_test_" + variant).c_str()) != nullptr;
}

}  // namespace

TEST(Loader, GoodPluginRegistersAndWorks) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  ASSERT_TRUE(host.load(plugin("good"))) << only_failure(host);
  ASSERT_EQ(host.plugins().size(), 1u);
  const auto& p = host.plugins()[0];
  EXPECT_EQ(p.name, "good");
  EXPECT_EQ(p.version, "1.2.3");
  EXPECT_EQ(p.license, "MIT");
  EXPECT_EQ(p.description, "A well-formed test plugin");
  EXPECT_EQ(p.fingerprint, adapt::build_fingerprint());
  EXPECT_EQ(p.file, fs::canonical(plugin("good")));
  EXPECT_EQ(p.components, std::vector<std::string>{"good.echo"});
  EXPECT_EQ(host.find("good"), &p);
  EXPECT_EQ(host.find("nope"), nullptr);

  // The component works across the boundary, with the core's option checks.
  auto reader = r.reader({{"name", "good.echo"}, {"path", "x"}, {"limit", 2}}, "reader");
  auto records = reader->read();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at(1, "text"), "x#1");
  EXPECT_EQ(r.info(Kind::reader, "good.echo").plugin_file, p.file.string());
  try {
    r.reader({{"name", "good.echo"}, {"path", "x"}, {"limit", 0}}, "reader");
    FAIL() << "expected an OptionError from the plugin's schema";
  } catch (const adapt::OptionError& e) {  // thrown in the core, caught by type across the boundary
    EXPECT_STREQ(e.what(), "reader.limit: must be >= 1, got 0");
  }
  EXPECT_TRUE(was_loaded("good"));
  // Loading the same file again is a no-op.
  EXPECT_TRUE(host.load(plugin("good")));
  EXPECT_EQ(host.plugins().size(), 1u);
}

TEST(Loader, SharedLibraryWithoutEntryPoint) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load(plugin("not_a_plugin")));
  const std::string& reason = only_failure(host);
  EXPECT_TRUE(contains(reason, "is a shared library but not an adapt plugin")) << reason;
  EXPECT_TRUE(contains(reason, "adapt_plugin_v1")) << reason;
}

TEST(Loader, DifferentAbiNumberIsRefusedNamingBoth) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load(plugin("abi")));
  const std::string& reason = only_failure(host);
  const std::string ours = std::to_string(ADAPT_PLUGIN_ABI_VERSION), theirs = std::to_string(ADAPT_PLUGIN_ABI_VERSION + 1);
  EXPECT_TRUE(contains(reason, "built for adapt plugin ABI " + theirs)) << reason;
  EXPECT_TRUE(contains(reason, "uses plugin ABI " + ours)) << reason;
  EXPECT_TRUE(contains(reason, "rebuild the plugin against adapt " + adapt::version())) << reason;
  EXPECT_TRUE(r.components_of_plugin("abi").empty());
  EXPECT_FALSE(was_loaded("abi")) << "refused from its manifest, it must never have been loaded";
}

TEST(Loader, FingerprintMismatchIsRefusedBeforeRegistering) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load(plugin("fingerprint")));
  const std::string& reason = only_failure(host);
  EXPECT_TRUE(contains(reason, "torch 1.12.1")) << reason;               // theirs
  EXPECT_TRUE(contains(reason, adapt::build_fingerprint())) << reason;    // ours
  EXPECT_TRUE(contains(reason, "differs in: torch 1.12.1 vs")) << reason;
  EXPECT_TRUE(contains(reason, "rebuild the plugin against adapt " + adapt::version() + " / torch ")) << reason;
  // register_good was never called: nothing registered under any name; the file was never loaded.
  EXPECT_TRUE(r.components().empty());
  EXPECT_FALSE(was_loaded("fingerprint"));
}

TEST(Loader, ManifestsAreCheckedBeforeLoading) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  // No manifest: an adapt 0.1 plugin, or no plugin at all.
  EXPECT_FALSE(host.load(plugin("legacy")));
  EXPECT_TRUE(contains(host.failures().back().reason, "carries no manifest (ELF section .adapt_plugin)"))
      << host.failures().back().reason;
  EXPECT_TRUE(contains(host.failures().back().reason, plugin("legacy").string())) << host.failures().back().reason;
  EXPECT_FALSE(was_loaded("legacy"));
  // A licence that is no SPDX expression.
  EXPECT_FALSE(host.load(plugin("badlicense")));
  EXPECT_TRUE(contains(host.failures().back().reason, "\"MIT-ish or whatever\", which is not an SPDX expression"))
      << host.failures().back().reason;
  EXPECT_FALSE(was_loaded("badlicense"));
  EXPECT_TRUE(r.components().empty());
  // The manifest is what `adapt plugins list` could show without loading anything.
  auto manifest = adapt::read_plugin_manifest(plugin("good"));
  ASSERT_TRUE(manifest);
  EXPECT_EQ(manifest->name, "good");
  EXPECT_EQ(manifest->version, "1.2.3");
  EXPECT_EQ(manifest->license, "MIT");
  EXPECT_EQ(manifest->fingerprint, adapt::build_fingerprint());
  EXPECT_EQ(manifest->abi_version, static_cast<uint32_t>(ADAPT_PLUGIN_ABI_VERSION));
  EXPECT_FALSE(adapt::read_plugin_manifest(plugin("legacy")));
}

TEST(Loader, SpdxExpressions) {
  for (const char* ok : {"MIT", "Apache-2.0", "GPL-3.0-or-later", "MIT OR Apache-2.0", "(MIT AND BSD-3-Clause) OR Zlib",
                         "GPL-2.0-only WITH Classpath-exception-2.0", "LicenseRef-Acme-1", "MPL-2.0+"})
    EXPECT_TRUE(adapt::valid_spdx_expression(ok)) << ok;
  for (const char* bad : {"", "mit", "MIT-ish", "MIT OR", "(MIT", "MIT AND AND Zlib", "GPL WITH nothing", "MIT; rm -rf"})
    EXPECT_FALSE(adapt::valid_spdx_expression(bad)) << bad;
}

TEST(Loader, RegistrationThatThrowsIsRolledBackAndTheHostGoesOn) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load(plugin("throws")));
  const std::string& reason = only_failure(host);
  EXPECT_TRUE(contains(reason, "threw while registering its components: cannot find my model files")) << reason;
  EXPECT_FALSE(r.has(Kind::reader, "throws.echo"));  // the half-registered component is gone
  EXPECT_TRUE(host.load(plugin("good")));            // and the host keeps going
  EXPECT_TRUE(r.has(Kind::reader, "good.echo"));
}

TEST(Loader, ComponentRegisteredTwiceIsAHardError) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load(plugin("twice")));
  const std::string& reason = only_failure(host);
  EXPECT_TRUE(contains(reason, "reader \"twice.echo\" is registered twice")) << reason;
  EXPECT_FALSE(r.has(Kind::reader, "twice.echo"));
  EXPECT_TRUE(host.plugins().empty());
}

TEST(Loader, TwoFilesProvidingTheSameComponentNameBothFiles) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  ASSERT_TRUE(host.load(plugin("dup_first")));
  EXPECT_FALSE(host.load(plugin("dup_second")));
  const std::string& reason = only_failure(host);
  EXPECT_TRUE(contains(reason, plugin("dup_first").filename().string())) << reason;
  EXPECT_TRUE(contains(reason, plugin("dup_second").filename().string())) << reason;
  EXPECT_EQ(r.info(Kind::reader, "dup.thing").plugin_file, fs::canonical(plugin("dup_first")).string());
}

TEST(Loader, DiscoveryTakesTheFirstOfAPluginNameWithAWarning) {
  // Both dup files in one directory: discovery order is by file name, the first wins.
  TempDir dir("loader");
  add_copy(dir, "dup_first", "d");
  add_copy(dir, "dup_second", "d");
  Registry r;
  PluginHost host(r, PluginHostOptions::only({dir.path / "d"}));
  host.load_all();
  EXPECT_TRUE(host.failures().empty()) << only_failure(host);
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins()[0].file.filename(), "libadapt_test_dup_first.so");
  ASSERT_EQ(host.warnings().size(), 1u);
  EXPECT_TRUE(contains(host.warnings()[0], "libadapt_test_dup_first.so")) << host.warnings()[0];
  EXPECT_TRUE(contains(host.warnings()[0], "libadapt_test_dup_second.so")) << host.warnings()[0];
}

TEST(Loader, DiscoveryOrderFlagThenEnvironment) {
  TempDir dir("loader");
  fs::path in_flag = add_copy(dir, "good", "flag");
  fs::path in_env = add_copy(dir, "good", "env");
  ::setenv("ADAPT_PLUGIN_PATH", (dir.path / "env").c_str(), 1);
  {
    Registry r;
    PluginHostOptions o = PluginHostOptions::only({dir.path / "flag"});
    o.use_environment = true;
    PluginHost host(r, o);
    host.load_all();
    ASSERT_EQ(host.plugins().size(), 1u);
    EXPECT_EQ(host.plugins()[0].file, fs::canonical(in_flag));  // --plugin-path first
    ASSERT_EQ(host.warnings().size(), 1u);
    EXPECT_TRUE(contains(host.warnings()[0], "using " + fs::canonical(in_flag).string())) << host.warnings()[0];
    EXPECT_TRUE(contains(host.warnings()[0], "ignoring " + in_env.string())) << host.warnings()[0];
  }
  {
    Registry r;
    PluginHostOptions o = PluginHostOptions::only({});
    o.use_environment = true;
    PluginHost host(r, o);
    host.load_all();
    ASSERT_EQ(host.plugins().size(), 1u);
    EXPECT_EQ(host.plugins()[0].file, fs::canonical(in_env));
    EXPECT_TRUE(host.warnings().empty());
  }
  ::unsetenv("ADAPT_PLUGIN_PATH");
}

TEST(Loader, ADirectoryNamedTwiceIsSearchedOnce) {
  TempDir dir("loader");
  add_copy(dir, "good", "p");
  Registry r;
  PluginHost host(r, PluginHostOptions::only({dir.path / "p", dir.path / "p" / ".." / "p"}));
  host.load_all();
  EXPECT_EQ(host.plugins().size(), 1u);
  EXPECT_TRUE(host.warnings().empty());
  EXPECT_TRUE(host.failures().empty());
}

TEST(Loader, PluginPathMayNameAFile) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({plugin("good")}));
  host.load_all();
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins()[0].name, "good");
}

TEST(Loader, WorldWritableDirectoryIsRefusedAndTheOverrideLoads) {
  TempDir dir("loader");
  add_copy(dir, "good", "open");
  ASSERT_EQ(::chmod((dir.path / "open").c_str(), 0777), 0);
  {
    Registry r;
    PluginHost host(r, PluginHostOptions::only({dir.path / "open"}));
    host.load_all();
    EXPECT_TRUE(host.plugins().empty());
    EXPECT_TRUE(contains(only_failure(host), "world-writable")) << only_failure(host);
    EXPECT_FALSE(r.has(Kind::reader, "good.echo"));
  }
  {
    Registry r;
    PluginHostOptions o = PluginHostOptions::only({dir.path / "open"});
    o.allow_insecure = true;
    PluginHost host(r, o);
    host.load_all();
    EXPECT_TRUE(host.failures().empty()) << only_failure(host);
    ASSERT_EQ(host.plugins().size(), 1u);
    EXPECT_TRUE(r.has(Kind::reader, "good.echo"));
  }
}

TEST(Loader, OneBadFileDoesNotStopTheOthers) {
  TempDir dir("loader");
  for (const char* v : {"abi", "fingerprint", "good", "not_a_plugin", "throws"}) add_copy(dir, v, "mixed");
  Registry r;
  PluginHost host(r, PluginHostOptions::only({dir.path / "mixed"}));
  host.load_all();
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins()[0].name, "good");
  EXPECT_EQ(host.failures().size(), 4u);
}

TEST(Loader, TheTemplatePluginWorks) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  ASSERT_TRUE(host.load(kPlugins / "libmytemplate.so")) << only_failure(host);
  auto block = r.block({{"name", "mytemplate.scale"}, {"column", "v"}}, "inputs[0]");
  adapt::Records train({"v"}, "train.csv");
  for (const char* v : {"1", "2", "3"}) train.add_row({v}, "train.csv");
  block->setup(train);
  // mean 2, population std sqrt(2/3)
  float encoded = adapt::get(block->encode(train, 2, {}), "").item<float>();
  EXPECT_NEAR(encoded, 1.0 / std::sqrt(2.0 / 3.0), 1e-5);
  adapt::Records bad({"v"}, "bad.csv");
  bad.add_row({"abc"}, "bad.csv:7");
  try {
    block->encode(bad, 0, {});
    FAIL() << "expected DataError";
  } catch (const adapt::DataError& e) {
    EXPECT_STREQ(e.what(), "mytemplate.scale: bad.csv:7, column \"v\": expected a finite number, got \"abc\"");
  }
}
