// PluginHost without any real plugin: search order, and the failures that need no built plugin
// (missing file, a text file named .so, a library that is not a plugin, unsafe permissions).
// Loading real and purpose-built bad plugins is tested in tests/plugins.
#include <gtest/gtest.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "adapt/plugin/plugin_host.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using adapt::PluginHost;
using adapt::PluginHostOptions;
using adapt::Registry;
using adapt::test_support::TempDir;

namespace {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

void write_text(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }


fs::path core_library() {
  Dl_info info{};
  EXPECT_NE(::dladdr(reinterpret_cast<void*>(&adapt::install_plugin_dir), &info), 0);
  return fs::canonical(info.dli_fname);
}

}  // namespace

TEST(PluginHost, SearchOrderIsFlagsThenEnvironmentThenInstallThenBuild) {
  ScopedEnv env("ADAPT_PLUGIN_PATH", "/env/one::/env/two:");
  Registry r;
  PluginHostOptions o;
  o.plugin_paths = {"/flag/a", "/flag/b"};
  PluginHost host(r, o);
  std::vector<fs::path> expected = {"/flag/a", "/flag/b", "/env/one", "/env/two", adapt::install_plugin_dir(),
                                    adapt::build_plugin_dir()};
  EXPECT_EQ(host.search_path(), expected);

  o.use_environment = false;
  o.use_build_dir = false;
  EXPECT_EQ(PluginHost(r, o).search_path(), (std::vector<fs::path>{"/flag/a", "/flag/b", adapt::install_plugin_dir()}));
}

TEST(PluginHost, InstallDirIsRelativeToTheCoreLibrary) {
  EXPECT_EQ(adapt::install_plugin_dir(), core_library().parent_path() / "adapt" / "plugins");
  EXPECT_FALSE(adapt::build_plugin_dir().empty());
}

TEST(PluginHost, MissingFileIsAFailureNotAnException) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load("/nonexistent/libnothing.so"));
  ASSERT_EQ(host.failures().size(), 1u);
  EXPECT_EQ(host.failures()[0].file, "/nonexistent/libnothing.so");
  EXPECT_NE(host.failures()[0].reason.find("not found"), std::string::npos) << host.failures()[0].reason;
  EXPECT_TRUE(host.plugins().empty());
}

TEST(PluginHost, TextFileNamedSoIsNotASharedLibrary) {
  TempDir dir("host");
  write_text(dir.path / "libfake.so", "this is not ELF\n");
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load(dir.path / "libfake.so"));
  ASSERT_EQ(host.failures().size(), 1u);
  EXPECT_NE(host.failures()[0].reason.find("is not a shared library"), std::string::npos) << host.failures()[0].reason;
}

TEST(PluginHost, ALibraryWithoutTheEntryPointIsNotAPlugin) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  fs::path core = core_library();
  EXPECT_FALSE(host.load(core));
  ASSERT_EQ(host.failures().size(), 1u);
  const std::string& reason = host.failures()[0].reason;
  EXPECT_NE(reason.find("not an adapt plugin"), std::string::npos) << reason;
  EXPECT_NE(reason.find("adapt_plugin_v1"), std::string::npos) << reason;
}

TEST(PluginHost, LoadAllKeepsGoingAndIgnoresOtherFiles) {
  TempDir dir("host");
  write_text(dir.path / "liba.so", "junk");
  write_text(dir.path / "libb.so", "junk");
  write_text(dir.path / "README.md", "not a candidate");
  write_text(dir.path / "notlib.so", "not a candidate either");
  Registry r;
  PluginHost host(r, PluginHostOptions::only({dir.path}));
  host.load_all();
  ASSERT_EQ(host.failures().size(), 2u);
  EXPECT_EQ(host.failures()[0].file.filename(), "liba.so");  // sorted, deterministic
  EXPECT_EQ(host.failures()[1].file.filename(), "libb.so");
}

TEST(PluginHost, MissingNamedPathIsAWarning) {
  Registry r;
  PluginHost host(r, PluginHostOptions::only({"/nonexistent/plugins"}));
  host.load_all();
  ASSERT_EQ(host.warnings().size(), 1u);
  EXPECT_NE(host.warnings()[0].find("/nonexistent/plugins"), std::string::npos);
  EXPECT_TRUE(host.failures().empty());
}

TEST(PluginHost, WorldWritableDirectoryIsRefusedUnlessAllowed) {
  TempDir dir("host");
  write_text(dir.path / "libfake.so", "junk");
  ASSERT_EQ(::chmod(dir.path.c_str(), 0777), 0);
  {
    Registry r;
    PluginHost host(r, PluginHostOptions::only({dir.path}));
    host.load_all();
    ASSERT_EQ(host.failures().size(), 1u);
    const std::string& reason = host.failures()[0].reason;
    EXPECT_NE(reason.find("world-writable (mode 0777)"), std::string::npos) << reason;
    EXPECT_NE(reason.find("--allow-insecure-plugins"), std::string::npos) << reason;
    // Loading the file directly is refused too.
    EXPECT_FALSE(host.load(dir.path / "libfake.so"));
    EXPECT_NE(host.failures()[1].reason.find("refusing to load plugin"), std::string::npos) << host.failures()[1].reason;
  }
  {
    Registry r;
    PluginHostOptions o = PluginHostOptions::only({dir.path});
    o.allow_insecure = true;
    PluginHost host(r, o);
    host.load_all();
    ASSERT_EQ(host.failures().size(), 1u);  // gets past the check, to the next problem
    EXPECT_NE(host.failures()[0].reason.find("not a shared library"), std::string::npos) << host.failures()[0].reason;
  }
}

TEST(PluginHost, GroupWritableFileIsRefused) {
  TempDir dir("host");
  fs::path file = dir.path / "libfake.so";
  write_text(file, "junk");
  ASSERT_EQ(::chmod(file.c_str(), 0664), 0);
  Registry r;
  PluginHost host(r, PluginHostOptions::only({}));
  EXPECT_FALSE(host.load(file));
  EXPECT_NE(host.failures()[0].reason.find("group-writable (mode 0664)"), std::string::npos) << host.failures()[0].reason;
}

TEST(PluginHost, DirectoryOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown a directory to another user";
  TempDir dir("host");
  fs::path sub = dir.path / "theirs";
  fs::create_directory(sub);
  write_text(sub / "libfake.so", "junk");
  ASSERT_EQ(::chown(sub.c_str(), 65534, 65534), 0);
  Registry r;
  PluginHost host(r, PluginHostOptions::only({sub}));
  host.load_all();
  ASSERT_EQ(host.failures().size(), 1u);
  EXPECT_NE(host.failures()[0].reason.find("neither you nor root"), std::string::npos) << host.failures()[0].reason;
}
