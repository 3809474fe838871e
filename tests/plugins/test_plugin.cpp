// Purpose-built test plugins: one source, one variant per MODULE target (ADAPT_TEST_VARIANT_*).
// good: a well-formed plugin; abi / fingerprint: manifests from an incompatible build; legacy: no
// manifest; badlicense: a licence that is not SPDX; throws:
// registration fails half-way; dup_first / dup_second: two files providing the same plugin and
// component; twice: registers one component twice; crash: segfaults in a static initialiser; hang:
// its registration never returns. (crash and hang live in a folder of their own: only the scanner's
// helper processes may ever open them.)
#include <adapt/plugin/plugin.h>
#include <dlfcn.h>
#include <stdlib.h>

#include <boost/preprocessor/arithmetic/inc.hpp>
#include <boost/preprocessor/stringize.hpp>

#include <csignal>
#include <string>
#include <thread>

// A manifest written by hand, for the variants that fake another build.
#define TEST_MANIFEST(ABI, NAME, LICENSE, FINGERPRINT)                                                        \
  [[gnu::used, gnu::section(ADAPT_PLUGIN_SECTION)]] static const char adapt_plugin_manifest[] =           \
      ADAPT_PLUGIN_MANIFEST_MAGIC "\0abi=" ABI "\0name=" NAME "\0version=1.0.0\0license=" LICENSE          \
      "\0description=a test plugin\0fingerprint=" FINGERPRINT;

// Whether the host ever loaded this file: its static initialiser sets ADAPT_TEST_LOADED_<name of the
// file>. A plugin refused from its manifest must never get that far.
[[maybe_unused]] static const bool loaded_marker = [] {
  Dl_info info{};
  if (::dladdr(static_cast<const void*>(&loaded_marker), &info) && info.dli_fname) {
    std::string file = info.dli_fname;
    file = file.substr(file.find_last_of('/') + 1);
    ::setenv(("ADAPT_TEST_LOADED_" + file.substr(0, file.find('.'))).c_str(), "1", 1);
  }
  return true;
}();

namespace {

using adapt::OptionSpec;
using adapt::OptionType;

class EchoReader : public adapt::Reader {
 public:
  EchoReader(std::string path, int64_t limit) : path_(std::move(path)), limit_(limit) {}
  adapt::Records read() const override {
    adapt::Records records({"text"}, path_);
    for (int64_t i = 0; i < limit_; ++i) records.add_row({path_ + "#" + std::to_string(i)}, path_);
    return records;
  }

 private:
  std::string path_;
  int64_t limit_;
};

void add_echo(adapt::Registry& registry, const std::string& name) {
  registry.add_reader(name, "Returns `limit` rows naming `path` (a test reader)",
                      {OptionSpec("path", OptionType::string, "", "what to echo").required(),
                       OptionSpec("limit", OptionType::integer, 3, "rows to return").min(1)},
                      [](const adapt::Options& o) {
                        return std::make_shared<EchoReader>(o.string("path"), o.integer("limit"));
                      });
}

[[maybe_unused]] void register_good(adapt::Registry& registry) { add_echo(registry, "good.echo"); }
[[maybe_unused]] void register_dup(adapt::Registry& registry) { add_echo(registry, "dup.thing"); }
[[maybe_unused]] void register_throws(adapt::Registry& registry) {
  add_echo(registry, "throws.echo");  // must be rolled back
  throw std::runtime_error("cannot find my model files");
}
[[maybe_unused]] void register_hang(adapt::Registry& registry) {
  add_echo(registry, "hang.echo");
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}
[[maybe_unused]] void register_twice(adapt::Registry& registry) {
  add_echo(registry, "twice.echo");
  add_echo(registry, "twice.echo");
}

}  // namespace

#if defined(ADAPT_TEST_VARIANT_GOOD)
ADAPT_PLUGIN("good", "1.2.3", "MIT", "A well-formed test plugin", register_good)
#elif defined(ADAPT_TEST_VARIANT_DUP_FIRST) || defined(ADAPT_TEST_VARIANT_DUP_SECOND)
ADAPT_PLUGIN("dup", "1.0.0", "MIT", "Two files provide this plugin", register_dup)
#elif defined(ADAPT_TEST_VARIANT_THROWS)
ADAPT_PLUGIN("throws", "1.0.0", "MIT", "Registration throws", register_throws)
#elif defined(ADAPT_TEST_VARIANT_CRASH)
// Dies while the library is being opened, before the host could call anything.
[[maybe_unused]] static const bool crash_on_load = [] {
  std::raise(SIGSEGV);
  return true;
}();
ADAPT_PLUGIN("crash", "1.0.0", "MIT", "Segfaults while loading", register_good)
#elif defined(ADAPT_TEST_VARIANT_HANG)
ADAPT_PLUGIN("hang", "1.0.0", "MIT", "Registration never returns", register_hang)
#elif defined(ADAPT_TEST_VARIANT_TWICE)
ADAPT_PLUGIN("twice", "1.0.0", "MIT", "Registers one component twice", register_twice)
#elif defined(ADAPT_TEST_VARIANT_ABI)
// Written out by hand: a plugin from a future adapt whose descriptor layout changed.
TEST_MANIFEST(BOOST_PP_STRINGIZE(BOOST_PP_INC(ADAPT_PLUGIN_ABI_VERSION)), "abi", "MIT", ADAPT_BUILD_FINGERPRINT)
extern "C" __attribute__((visibility("default"))) const adapt_plugin_descriptor* adapt_plugin_v1() {
  static const adapt_plugin_descriptor d{ADAPT_PLUGIN_ABI_VERSION + 1, "abi", "1.0.0", "MIT", "future ABI",
                                         ADAPT_BUILD_FINGERPRINT, register_good};
  return &d;
}
#elif defined(ADAPT_TEST_VARIANT_FINGERPRINT)
// Same ABI number, built against another LibTorch: must be refused before it is even loaded.
#define OLD_TORCH_FINGERPRINT "adapt " ADAPT_VERSION_STRING "; headers " ADAPT_HEADERS_HASH "; torch 1.12.1; cxx11abi 1; gcc 12"
TEST_MANIFEST(ADAPT_STRINGIFY(ADAPT_PLUGIN_ABI_VERSION), "oldtorch", "MIT", OLD_TORCH_FINGERPRINT)
extern "C" __attribute__((visibility("default"))) const adapt_plugin_descriptor* adapt_plugin_v1() {
  static const adapt_plugin_descriptor d{ADAPT_PLUGIN_ABI_VERSION, "oldtorch", "1.0.0", "MIT", "old torch",
                                         OLD_TORCH_FINGERPRINT, register_good};
  return &d;
}
#elif defined(ADAPT_TEST_VARIANT_LEGACY)
// An adapt 0.1 plugin: the entry point without the manifest section.
extern "C" __attribute__((visibility("default"))) const adapt_plugin_descriptor* adapt_plugin_v1() {
  static const adapt_plugin_descriptor d{ADAPT_PLUGIN_ABI_VERSION, "legacy", "1.0.0", "MIT", "no manifest",
                                         ADAPT_BUILD_FINGERPRINT, register_good};
  return &d;
}
#elif defined(ADAPT_TEST_VARIANT_BADLICENSE)
ADAPT_PLUGIN("badlicense", "1.0.0", "MIT-ish or whatever", "A licence that is no SPDX expression", register_good)
#else
#error "define one ADAPT_TEST_VARIANT_*"
#endif
