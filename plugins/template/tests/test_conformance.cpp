// The plugin conformance kit on this plugin (docs/writing-a-plugin.md, "Conformance checklist"):
// options, the block on hand-made rows, and -- once you add a demo -- the demo's whole pipeline.
// ADAPT_PLUGIN_UNDER_TEST is the built plugin file (see tests/CMakeLists.txt).
#include <adapt/testing/conformance.h>

namespace {

adapt::Records column_x(const std::vector<std::string>& values, const std::string& source) {
  adapt::Records records({"x"}, source);
  for (size_t i = 0; i < values.size(); ++i) records.add_row({values[i]}, source + ":" + std::to_string(i + 2));
  return records;
}

adapt::testing::Conformance mytemplate() {
  adapt::testing::Conformance c("mytemplate", {ADAPT_PLUGIN_UNDER_TEST});
  // A block no demo uses is checked on rows you write: the training rows, then rows of other splits
  // with values the training rows lack (they must change nothing the block learned).
  c.blocks = {{{{"name", "mytemplate.scale"}, {"column", "x"}},
               column_x({"1", "2", "3.5", "-4"}, "train.csv"),
               column_x({"1000", "-0.25"}, "valid.csv")}};
  return c;
}

}  // namespace

ADAPT_CONFORMANCE_SUITE(MytemplateConformance, mytemplate())
