#include "adapt/train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <xxhash.h>

#include <cstring>
#include <mutex>

#include "adapt/common/atomic_file.h"
#include "adapt/common/hash.h"

namespace adapt {

void write_json(torch::serialize::OutputArchive& archive, const std::string& key, const json& value) {
  std::vector<uint8_t> bytes = json::to_cbor(value);
  auto tensor = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  if (!bytes.empty()) std::memcpy(tensor.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  archive.write(key, tensor, /*is_buffer=*/true);
}

json read_json(torch::serialize::InputArchive& archive, const std::string& key, const std::string& what) {
  torch::Tensor tensor;
  if (!archive.try_read(key, tensor, /*is_buffer=*/true))
    throw Error(what + ": the entry \"" + key + "\" is missing; the file is not an adapt file or is damaged");
  tensor = tensor.contiguous();
  if (tensor.scalar_type() != torch::kUInt8) throw Error(what + ": the entry \"" + key + "\" is not a byte string");
  const auto* data = tensor.data_ptr<uint8_t>();
  try {
    return json::from_cbor(data, data + tensor.numel());
  } catch (const json::exception& e) {
    throw Error(what + ": the entry \"" + key + "\" is not valid CBOR (" + e.what() + "); the file is damaged");
  }
}

// Nested like torch::nn::Module::save (one archive per child), but reading checks names and shapes
// and copies in place, so a mismatch is a clear error and optimizers keep their tensors.
void write_module_state(torch::serialize::OutputArchive& archive, const torch::nn::Module& module) {
  for (const auto& p : module.named_parameters(/*recurse=*/false)) archive.write(p.key(), p.value().detach(), false);
  for (const auto& b : module.named_buffers(/*recurse=*/false)) archive.write(b.key(), b.value(), true);
  for (const auto& child : module.named_children()) {
    torch::serialize::OutputArchive nested;
    write_module_state(nested, *child.value());
    archive.write(child.key(), nested);
  }
}

namespace {
void read_module_state_at(torch::serialize::InputArchive& archive, torch::nn::Module& module, const std::string& what,
                          const std::string& prefix) {
  auto copy = [&](const std::string& name, torch::Tensor& target, bool is_buffer) {
    torch::Tensor saved;
    if (!archive.try_read(name, saved, is_buffer))
      throw Error(what + ": has no weights for \"" + prefix + name +
                  "\"; it was saved from a different model (check the recipe's model section)");
    if (saved.sizes() != target.sizes())
      throw Error(what + ": \"" + prefix + name + "\" has shape " + c10::str(saved.sizes()) +
                  " but the model expects " + c10::str(target.sizes()) + "; it was saved from a differently sized model");
    target.copy_(saved);
  };
  for (auto& p : module.named_parameters(false)) copy(p.key(), p.value(), false);
  for (auto& b : module.named_buffers(false)) copy(b.key(), b.value(), true);
  for (auto& child : module.named_children()) {
    torch::serialize::InputArchive nested;
    if (!archive.try_read(child.key(), nested))
      throw Error(what + ": has no weights for the submodule \"" + prefix + child.key() +
                  "\"; it was saved from a different model (check the recipe's model section)");
    read_module_state_at(nested, *child.value(), what, prefix + child.key() + ".");
  }
}
}  // namespace

void read_module_state(torch::serialize::InputArchive& archive, torch::nn::Module& module, const std::string& what) {
  torch::NoGradGuard no_grad;
  read_module_state_at(archive, module, what, "");
}

torch::Tensor torch_rng_state() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void set_torch_rng_state(const torch::Tensor& state) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

// Every archive adapt writes is sealed: the archive is serialised to memory, and the file holds those
// bytes as one entry ("adapt_sealed") beside their XXH3-128 digest ("adapt_seal"). Debian's torch zip
// reader does not check entry CRCs, so without the seal one flipped bit in a weight loads silently.
namespace {

constexpr const char* kSealedKey = "adapt_sealed";
constexpr const char* kSealKey = "adapt_seal";

std::string xxh3_128_hex(const void* data, size_t size) {
  const XXH128_hash_t h = XXH3_128bits(data, size);
  return hex64(h.high64) + hex64(h.low64);
}

std::string to_bytes(torch::serialize::OutputArchive& archive) {
  std::string bytes;
  archive.save_to([&bytes](const void* data, size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  return bytes;
}

std::string damaged(const std::string& what, const std::filesystem::path& file, const std::string& detail) {
  return what + " " + file.string() + " is damaged: " + detail +
         ". It was changed or corrupted after adapt wrote it (disk, copy or transfer error); restore it from a "
         "good copy or retrain";
}

}  // namespace

void load_archive(torch::serialize::InputArchive& archive, const std::filesystem::path& file, const std::string& what) {
  if (!std::filesystem::exists(file)) throw Error(what + " " + file.string() + " does not exist");
  if (std::filesystem::is_directory(file)) throw Error(what + " " + file.string() + " is a directory, not a file");
  try {
    archive.load_from(file.string());
  } catch (const c10::Error& e) {
    throw Error(what + " " + file.string() + " cannot be read (" + e.what_without_backtrace() +
                "); it is not an adapt file or it is damaged");
  } catch (const std::exception& e) {  // TorchScript's own parse errors are not c10::Errors
    throw Error(what + " " + file.string() + " cannot be read (" + e.what() +
                "); it is not an adapt file or it is damaged");
  }
  torch::Tensor seal_tensor, sealed;
  if (!archive.try_read(kSealKey, seal_tensor, /*is_buffer=*/true)) return;  // written before seals (adapt 0.2.0)
  json seal;
  try {
    seal = read_json(archive, kSealKey, what + " " + file.string());
  } catch (const Error&) {
    throw Error(damaged(what, file, "its seal (entry \"" + std::string(kSealKey) + "\") does not parse"));
  }
  if (!archive.try_read(kSealedKey, sealed, /*is_buffer=*/true) || sealed.scalar_type() != torch::kUInt8)
    throw Error(damaged(what, file, "the sealed entry \"" + std::string(kSealedKey) + "\" is missing"));
  sealed = sealed.contiguous();
  const auto* data = static_cast<const char*>(sealed.data_ptr());
  const size_t size = static_cast<size_t>(sealed.numel());
  const std::string digest = xxh3_128_hex(data, size);
  if (seal.value("algorithm", "") != "xxh3-128" || seal.value("bytes", uint64_t{0}) != size ||
      seal.value("digest", "") != digest)
    throw Error(damaged(what, file, "the content of entry \"" + std::string(kSealedKey) + "\" (" + std::to_string(size) +
                                        " bytes, XXH3-128 " + digest + ") does not match its recorded checksum " +
                                        seal.value("digest", std::string("?"))));
  try {
    archive.load_from(data, size);
  } catch (const c10::Error& e) {
    throw Error(damaged(what, file, std::string("its sealed content does not open: ") + e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Error(damaged(what, file, std::string("its sealed content does not open: ") + e.what()));
  }
}

void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file) {
  // Serialised to memory first: LibTorch's file writer throws again from its destructor when the disk
  // fills (and aborts the process); a write of bytes in memory fails cleanly instead.
  std::string inner = to_bytes(archive);
  torch::serialize::OutputArchive outer;
  write_json(outer, kSealKey,
             {{"algorithm", "xxh3-128"}, {"bytes", inner.size()}, {"digest", xxh3_128_hex(inner.data(), inner.size())}});
  outer.write(kSealedKey,
              torch::from_blob(inner.data(), {static_cast<int64_t>(inner.size())}, torch::kUInt8), /*is_buffer=*/true);
  write_text_atomically(file, to_bytes(outer));
}

}  // namespace adapt
