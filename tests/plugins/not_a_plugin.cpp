// A perfectly good shared library that is not an adapt plugin: it has no adapt_plugin_v1.
extern "C" __attribute__((visibility("default"))) int adapt_test_not_a_plugin() { return 42; }
