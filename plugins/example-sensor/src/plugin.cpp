// The plugin's single entry point: descriptor, build fingerprint and registration.
#include <adapt/plugin/plugin.h>

#include "sensor.h"

namespace {
void register_sensor(adapt::Registry& registry) {
  sensor::register_reader(registry);
  sensor::register_block(registry);
  sensor::register_model(registry);
  sensor::register_transform(registry);
  sensor::register_baseline(registry);
  sensor::register_demo(registry);
}
}  // namespace

ADAPT_PLUGIN("sensor", ADAPT_PLUGIN_VERSION, "MIT", "Sensor time series (accelerometer windows) classification",
             register_sensor)
