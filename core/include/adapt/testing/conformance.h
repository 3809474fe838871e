#pragma once
// The plugin conformance kit (GoogleTest, header-only): checks that a plugin's components keep the
// contract of docs/writing-a-plugin.md. Include it in a test linked with GTest; the core itself never
// links GoogleTest. The whole kit for one plugin, from its demo:
//
//   #include <adapt/testing/conformance.h>
//   ADAPT_CONFORMANCE_SUITE(MyPluginConformance, adapt::testing::Conformance("myplugin", {MYPLUGIN_DIR}))
//
// or single checks in your own tests: check_options, check_block, check_transform, check_model,
// check_recipe, check_demo (namespace adapt::testing).
#include "adapt/testing/block_check.h"
#include "adapt/testing/demo_check.h"
#include "adapt/testing/model_check.h"
#include "adapt/testing/options_check.h"
#include "adapt/testing/plugin_registry.h"
#include "adapt/testing/recipe_check.h"
#include "adapt/testing/suite.h"
#include "adapt/testing/transform_check.h"
