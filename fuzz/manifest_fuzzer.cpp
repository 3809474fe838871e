// Loading an export past its seal (Predictor::load): a file sealed by save_archive whose "manifest"
// entry holds anything loads or is refused with an adapt::Error naming the file. Byte 1 says what the
// rest is: a JSON manifest (so the seeds are readable exports' manifests) or the entry's raw bytes
// (CBOR, as adapt stores it). The weights are left empty, so a manifest that gets all the way through
// is refused when the weights are read.
#include "adapt/export/export.h"
#include "adapt/train/checkpoint.h"
#include "fuzz_support.h"

namespace {

// The manifest entry: `bytes` as the CBOR adapt would store, or `text` as JSON (false if it is not).
bool write_manifest(torch::serialize::OutputArchive& archive, bool raw, std::string bytes) {
  if (!raw) {
    const adapt::json manifest = adapt::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (manifest.is_discarded()) return false;  // not JSON: nothing to load
    adapt::write_json(archive, "manifest", manifest);
    return true;
  }
  auto tensor = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(tensor.data_ptr<uint8_t>()));
  archive.write("manifest", tensor, /*is_buffer=*/true);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const adapt::Registry registry = [] {
    adapt::Registry r;
    adapt::register_core_components(r);
    return r;
  }();
  adapt::fuzz::Input in(data, size);
  const bool raw = in.byte() & 1;
  torch::serialize::OutputArchive archive, weights;
  if (!write_manifest(archive, raw, in.rest())) return 0;
  archive.write("model", weights);
  const auto file = adapt::fuzz::scratch_file("model.adapt", "");
  adapt::save_archive(archive, file);
  adapt::fuzz::refuse_cleanly([&] { adapt::Predictor::load(file, registry); });
  return 0;
}
