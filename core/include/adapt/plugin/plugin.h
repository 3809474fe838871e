#pragma once
// THE PLUGIN CONTRACT. A plugin author includes this one header; it brings every interface a
// component implements (Registry, Reader, Splitter, Block, Transform, Model, Loss, Metric, Baseline,
// Report, Demo, Options). Example: plugins/example-sensor; copyable start: plugins/template; checks:
// <adapt/testing/conformance.h> (the conformance kit); the long form: docs/writing-a-plugin.md.
//
// WHAT YOU IMPLEMENT
//  - Exactly one translation unit expands
//      ADAPT_PLUGIN("name", ADAPT_PLUGIN_VERSION, "SPDX licence", "one-line description", register_fn)
//    with `void register_fn(adapt::Registry&)`, which adds components named "name.<component>", each
//    with one-line help and an OptionSchema (type, default or required(), bounds, help per option).
//  - reader: read() -> Records whose rows carry an origin ("file.csv:12"); bad input throws
//    adapt::DataError naming file, line/record, field and what to do.
//  - block: setup(train) learns everything from the training records alone; encode() is const,
//    deterministic except on Split::train (randomness only from ctx.rng, then random_on_train() is
//    true); state()/load_state() round-trip what setup() learned; dims() sizes models. A target block
//    adds loss(), n_outputs(), decode(), classes().
//  - transform: random ones keep on_valid() == false and draw only from the Rng they are given.
//  - model: forward(Batch) reads inputs by key and returns [batch, n_outputs] for its target block;
//    layer_groups() from body to head; check_parameter_budget() before allocating; an encoder (a
//    core.fusion branch) also returns embedding_width() > 0 and embed() [batch, that width].
//  - metric, loss, baseline, report, demo: see their headers; a baseline fits on the training split
//    only; a demo's generate() writes the same bytes for the same seed and its predict_inputs() are
//    not training rows.
//
// WHAT THE HOST GUARANTEES
//  - It reads the manifest from the file (ELF section .adapt_plugin) and checks ABI, build
//    fingerprint (adapt version, public-header hash, LibTorch, C++ ABI, compiler), name, version and
//    licence BEFORE loading: a plugin that cannot run here never runs any code here.
//  - It opens the library only when one of its components is first used (and in the helper process
//    of `adapt plugins scan`), with RTLD_NOW | RTLD_LOCAL, and never closes it: your objects never
//    outlive your code.
//  - register_fn runs once per process, on one thread; a throw rolls back everything it added and
//    skips the plugin with your message. A crash or hang blacklists the file (scan) until it changes.
//  - Options reach factories validated against the schema, defaults filled in.
//  - setup() runs once before any encode(), with training records only; encode() may run on several
//    loader threads at once; random transforms never see validation, test or prediction data.
//
// WHAT IS FORBIDDEN
//  - File access, threads, network or training inside register_fn (it also runs in the scanner).
//  - Exporting anything but the entry point (adapt_add_plugin builds with hidden visibility), and
//    RTLD_DEEPBIND except for a shim opened through <adapt/plugin/deepbind.h>.
//  - Learning from validation or test rows, randomness from anywhere but the given Rng, mutable
//    state shared between encode() calls without a lock.
//  - Relying on static destructors (the library is never unloaded), or on a plugin built for another
//    adapt, LibTorch or compiler (the host refuses it: rebuild instead).
//
// The ABI: a plugin carries two copies of one descriptor: the manifest in its ELF section
// ".adapt_plugin" (plugin_manifest.h), checked before loading; and the C entry point adapt_plugin_v1,
// returning the same descriptor with the register function, called only after the manifest passed.
// adapt_add_plugin() defines ADAPT_PLUGIN_VERSION as the CMake project's VERSION, so the version is
// written once, in CMakeLists.txt.
#include <torch/version.h>

#include <cstdint>

#include "adapt/common/version.h"
#include "adapt/plugin/plugin_manifest.h"
#include "adapt/plugin/registry.h"

extern "C" {
struct adapt_plugin_descriptor {
  uint32_t abi_version;     // ADAPT_PLUGIN_ABI_VERSION at build time
  const char* name;         // "audio": the prefix of every component it registers
  const char* version;      // the plugin's own version
  const char* license;      // SPDX identifier
  const char* description;  // one line
  const char* fingerprint;  // ADAPT_BUILD_FINGERPRINT at build time
  void (*register_components)(adapt::Registry&);
};
}

#define ADAPT_PLUGIN_ENTRY_POINT "adapt_plugin_v1"

#define ADAPT_PLUGIN(NAME, VERSION, LICENSE, DESCRIPTION, REGISTER_FN)                                     \
  [[gnu::used, gnu::section(ADAPT_PLUGIN_SECTION)]] static const char adapt_plugin_manifest[] =           \
      ADAPT_PLUGIN_MANIFEST_MAGIC "\0abi=" ADAPT_STRINGIFY(ADAPT_PLUGIN_ABI_VERSION) "\0name=" NAME          \
      "\0version=" VERSION "\0license=" LICENSE "\0description=" DESCRIPTION                                \
      "\0fingerprint=" ADAPT_BUILD_FINGERPRINT;                                                            \
  extern "C" __attribute__((visibility("default"))) const adapt_plugin_descriptor* adapt_plugin_v1() {     \
    static const adapt_plugin_descriptor descriptor{ADAPT_PLUGIN_ABI_VERSION, NAME, VERSION, LICENSE,      \
                                                    DESCRIPTION, ADAPT_BUILD_FINGERPRINT, REGISTER_FN};   \
    return &descriptor;                                                                                 \
  }
