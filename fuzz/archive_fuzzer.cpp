// The .adapt loader (load_archive, read_manifest): a file of any bytes opens or is refused with an
// adapt::Error naming it. The seeds are sealed exports, so mutations land in the zip structure, the
// seal, the sealed content or the entries around them; the XXH3 seal stops almost all of them, and
// manifest_fuzzer covers what lies past it. (A file with no seal at all, from before seals, is still
// opened by LibTorch unchecked: fuzz/README.md.)
#include "adapt/export/export.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = adapt::fuzz::scratch_file("model.adapt", std::string(reinterpret_cast<const char*>(data), size));
  adapt::fuzz::refuse_cleanly([&] { adapt::read_manifest(file); });
  return 0;
}
