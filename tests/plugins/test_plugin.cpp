// Purpose-built test plugins: one source, one variant per MODULE target (ADAPT_TEST_VARIANT_*).
// good: a well-formed plugin; abi / fingerprint: descriptors from an incompatible build; throws:
// registration fails half-way; dup_first / dup_second: two files providing the same plugin and
// component; twice: registers one component twice.
#include <adapt/plugin/plugin.h>

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
#elif defined(ADAPT_TEST_VARIANT_TWICE)
ADAPT_PLUGIN("twice", "1.0.0", "MIT", "Registers one component twice", register_twice)
#elif defined(ADAPT_TEST_VARIANT_ABI)
// Written out by hand: a plugin from a future adapt whose descriptor layout changed.
extern "C" __attribute__((visibility("default"))) const adapt_plugin_descriptor* adapt_plugin_v1() {
  static const adapt_plugin_descriptor d{ADAPT_PLUGIN_ABI_VERSION + 1, "abi", "1.0.0", "MIT", "future ABI",
                                         ADAPT_BUILD_FINGERPRINT, register_good};
  return &d;
}
#elif defined(ADAPT_TEST_VARIANT_FINGERPRINT)
// Same ABI number, built against another LibTorch: must be refused before register is called.
extern "C" __attribute__((visibility("default"))) const adapt_plugin_descriptor* adapt_plugin_v1() {
  static const adapt_plugin_descriptor d{ADAPT_PLUGIN_ABI_VERSION, "oldtorch", "1.0.0", "MIT", "old torch",
                                         "adapt " ADAPT_VERSION_STRING "; torch 1.12.1; cxx11abi 1; gcc 12",
                                         register_good};
  return &d;
}
#else
#error "define one ADAPT_TEST_VARIANT_*"
#endif
