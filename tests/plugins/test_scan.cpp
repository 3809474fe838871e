// The out-of-process scan and its cache (plugin_scan.h), and opening plugins on first use: purpose-built
// plugins that crash, hang or throw are blacklisted with the reason while good ones are listed; the
// cache answers without helpers until a file changes; no test here opens a hostile plugin in-process.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "adapt/plugin/plugin_host.h"
#include "adapt/plugin/plugin_scan.h"
#include "support/temp_dir.h"
#include "test_plugin_files.h"

namespace fs = std::filesystem;
using adapt::Kind;
using adapt::PluginHost;
using adapt::PluginHostOptions;
using adapt::PluginScan;
using adapt::Registry;
using adapt::ScanOptions;
using adapt::test_support::TempDir;

namespace {

using adapt::test_plugins::add_copy;

ScanOptions options_in(const TempDir& dir) {
  ScanOptions o;
  o.cache_file = dir.path / "cache" / "registry.json";
  o.scanner = ADAPT_PLUGIN_SCANNER_PATH;
  o.timeout = std::chrono::milliseconds(120000);  // generous: a loaded CI machine is slow to load LibTorch
  return o;
}

std::string reason_for(const std::vector<adapt::PluginFailure>& failures, const std::string& file_part) {
  for (const auto& f : failures)
    if (f.file.string().find(file_part) != std::string::npos) return f.reason;
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(PluginScan, BlacklistsCrashHangAndThrowAndListsTheGoodOnes) {
  TempDir dir("scan");
  for (const char* v : {"good", "crash", "hang", "throws", "abi"}) add_copy(dir, v);
  ScanOptions options = options_in(dir);
  options.timeout = std::chrono::milliseconds(6000);  // the hang costs one timeout
  const auto started = std::chrono::steady_clock::now();
  PluginScan scan = adapt::scan_plugins(PluginHostOptions::only({dir.path / "p"}), options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  ASSERT_EQ(scan.plugins.size(), 1u);
  EXPECT_EQ(scan.plugins[0].manifest.name, "good");
  ASSERT_EQ(scan.plugins[0].components.size(), 1u);
  EXPECT_EQ(scan.plugins[0].components[0]["name"], "good.echo");
  EXPECT_EQ(scan.plugins[0].components[0]["options"][0]["name"], "path");  // the option schema is kept

  const std::string crash = reason_for(scan.blacklisted, "crash"), hang = reason_for(scan.blacklisted, "hang"),
                    threw = reason_for(scan.blacklisted, "throws");
  EXPECT_TRUE(contains(crash, "crashed while loading") && contains(crash, "signal 11")) << crash;
  EXPECT_TRUE(contains(hang, "did not finish loading within 6 s")) << hang;
  EXPECT_TRUE(contains(threw, "cannot find my model files")) << threw;
  // Refused from its manifest: never handed to a helper, not blacklisted.
  EXPECT_TRUE(contains(reason_for(scan.refused, "abi"), "plugin ABI")) << reason_for(scan.refused, "abi");
  EXPECT_EQ(scan.blacklisted.size(), 3u);
  EXPECT_LT(seconds, 60.0) << "the hang must cost one timeout, not stall the scan";
  EXPECT_FALSE(getenv("ADAPT_TEST_LOADED_libadapt_test_crash")) << "the crash plugin ran in the test process";
}

TEST(PluginScan, TheCacheAnswersUntilAFileChanges) {
  TempDir dir("scan");
  fs::path good = add_copy(dir, "good");
  add_copy(dir, "throws");
  const auto host = PluginHostOptions::only({dir.path / "p"});
  PluginScan first = adapt::scan_plugins(host, options_in(dir));
  EXPECT_GE(first.scanned, 2u);
  ASSERT_TRUE(fs::exists(options_in(dir).cache_file));

  PluginScan second = adapt::scan_plugins(host, options_in(dir));
  EXPECT_EQ(second.scanned, 0u);  // everything, the blacklist included, from the cache
  ASSERT_EQ(second.plugins.size(), 1u);
  EXPECT_TRUE(second.plugins[0].from_cache);
  EXPECT_EQ(second.blacklisted.size(), 1u);

  // A rebuilt plugin (new mtime) is scanned again; the unchanged one is not.
  fs::last_write_time(good, fs::last_write_time(good) + std::chrono::seconds(5));
  PluginScan third = adapt::scan_plugins(host, options_in(dir));
  EXPECT_EQ(third.scanned, 1u);
  EXPECT_FALSE(third.plugins[0].from_cache);

  ScanOptions force = options_in(dir);
  force.rescan = true;
  EXPECT_GE(adapt::scan_plugins(host, force).scanned, 2u);
}

TEST(PluginScan, ACorruptCacheIsRebuiltNotTrusted) {
  TempDir dir("scan");
  add_copy(dir, "good");
  fs::create_directories(options_in(dir).cache_file.parent_path());
  std::ofstream(options_in(dir).cache_file) << "{\"fingerprint\": truncated";
  PluginScan scan = adapt::scan_plugins(PluginHostOptions::only({dir.path / "p"}), options_in(dir));
  EXPECT_GE(scan.scanned, 1u);
  ASSERT_EQ(scan.plugins.size(), 1u);
  EXPECT_EQ(adapt::scan_plugins(PluginHostOptions::only({dir.path / "p"}), options_in(dir)).scanned, 0u);
}

TEST(PluginScan, AMissingScannerIsAClearError) {
  TempDir dir("scan");
  add_copy(dir, "good");
  ScanOptions o = options_in(dir);
  o.scanner = dir.path / "no-such-scanner";
  try {
    adapt::scan_plugins(PluginHostOptions::only({dir.path / "p"}), o);
    FAIL() << "expected an error";
  } catch (const adapt::Error& e) {
    EXPECT_TRUE(contains(e.what(), "no-such-scanner") && contains(e.what(), "ADAPT_PLUGIN_SCANNER")) << e.what();
  }
}

TEST(PluginScan, TheHostRefusesABlacklistedFileWhenAskedTo) {
  TempDir dir("scan");
  fs::path throws = add_copy(dir, "throws");
  ::setenv("XDG_CACHE_HOME", (dir.path / "xdg").c_str(), 1);
  ScanOptions o = options_in(dir);
  o.cache_file.clear();  // the default cache, which the host reads
  adapt::scan_plugins(PluginHostOptions::only({dir.path / "p"}), o);
  EXPECT_TRUE(fs::exists(adapt::default_plugin_cache_file()));
  EXPECT_TRUE(contains(adapt::blacklist_reason(throws), "cannot find my model files"));

  Registry r;
  PluginHostOptions careful = PluginHostOptions::only({});
  careful.respect_blacklist = true;
  PluginHost host(r, careful);
  EXPECT_FALSE(host.load(throws));
  ASSERT_EQ(host.failures().size(), 1u);
  EXPECT_TRUE(contains(host.failures()[0].reason, "adapt plugins scan")) << host.failures()[0].reason;
  ::unsetenv("XDG_CACHE_HOME");
}

TEST(PluginScan, AWritableParentDirectoryIsRefused) {
  TempDir dir("scan");
  fs::path good = add_copy(dir, "good", "outer/inner");
  ASSERT_EQ(::chmod((dir.path / "outer").c_str(), 0777), 0);  // anyone could swap "inner"
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load(good));
  ASSERT_EQ(host.failures().size(), 1u);
  EXPECT_TRUE(contains(host.failures()[0].reason, "parent directory") &&
              contains(host.failures()[0].reason, "world-writable"))
      << host.failures()[0].reason;
}

TEST(OnDemand, APluginOpensOnlyWhenOneOfItsComponentsIsUsed) {
  TempDir dir("ondemand");
  add_copy(dir, "good");
  add_copy(dir, "dup_first");
  ::unsetenv("ADAPT_TEST_LOADED_libadapt_test_good");
  ::unsetenv("ADAPT_TEST_LOADED_libadapt_test_dup_first");
  Registry r;
  PluginHost host(r, PluginHostOptions::only({dir.path / "p"}));
  host.load_on_demand();
  EXPECT_EQ(host.discovered().size(), 2u);
  EXPECT_TRUE(host.plugins().empty());
  EXPECT_FALSE(getenv("ADAPT_TEST_LOADED_libadapt_test_good"));

  EXPECT_TRUE(r.has(Kind::reader, "good.echo"));  // the first lookup opens "good" ...
  EXPECT_TRUE(getenv("ADAPT_TEST_LOADED_libadapt_test_good"));
  EXPECT_FALSE(getenv("ADAPT_TEST_LOADED_libadapt_test_dup_first"));  // ... and nothing else
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(r.plugin_version("good"), "1.2.3");
  EXPECT_FALSE(r.has(Kind::reader, "nosuch.echo"));
  EXPECT_EQ(host.plugins().size(), 1u);
}

TEST(OnDemand, ConcurrentFirstLookupsOpenAPluginOnce) {
  TempDir dir("ondemand");
  add_copy(dir, "good");
  Registry r;
  PluginHost host(r, PluginHostOptions::only({dir.path / "p"}));
  host.load_on_demand();
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] { found += r.reader({{"name", "good.echo"}, {"path", "x"}}, "reader") != nullptr; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), 8);
  EXPECT_EQ(host.plugins().size(), 1u);
  EXPECT_TRUE(host.failures().empty());
}
