// The plugin conformance kit on the sensor plugin (docs/writing-a-plugin.md, "Conformance
// checklist"): every option, the demo's data through every block, transform and the model, the demo
// itself (deterministic data, unseen predict inputs, export round trip). ADAPT_PLUGIN_UNDER_TEST is
// the built plugin file (see tests/CMakeLists.txt).
#include <adapt/testing/conformance.h>

namespace {

adapt::testing::Conformance sensor() {
  adapt::testing::Conformance c("sensor", {ADAPT_PLUGIN_UNDER_TEST});
  c.demo_options["sensor.activity"] = {{"per_class", 16}};  // small (48 training series): seconds
  return c;
}

}  // namespace

ADAPT_CONFORMANCE_SUITE(SensorConformance, sensor())
