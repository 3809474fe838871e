#include "adapt/train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <xxhash.h>

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <string_view>

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
// Loading reads the two entries as raw zip records and checks the digest before LibTorch parses
// anything: opening the outer file with LibTorch would first compile the TorchScript code stored in
// it (code/__torch__.py), and one damaged byte there segfaulted LibTorch's type parser (found by
// fuzz/archive_fuzzer).
namespace {

using caffe2::serialize::PyTorchStreamReader;

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

// Runs `f`, a LibTorch call on the file, turning its errors into an adapt::Error naming the file.
template <typename F>
auto unless_unreadable(const std::string& what, const std::filesystem::path& file, F&& f) {
  const auto fail = [&](const std::string& why) {
    return Error(what + " " + file.string() + " cannot be read (" + why +
                 "); it is not an adapt file or it is damaged");
  };
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw fail(e.what_without_backtrace());
  } catch (const std::exception& e) {  // TorchScript's own parse errors are not c10::Errors
    throw fail(e.what());
  }
}

struct Record {
  at::DataPtr data;
  size_t size = 0;
  const char* bytes() const { return static_cast<const char*>(data.get()); }
};

Record record(PyTorchStreamReader& reader, const std::string& name) {
  auto [data, size] = reader.getRecord(name);
  return {std::move(data), size};
}

// A sealed file names its entries in its pickled index and its code; a file from before seals does not.
bool is_sealed(PyTorchStreamReader& reader) {
  for (const char* name : {"data.pkl", "code/__torch__.py"}) {
    if (!reader.hasRecord(name)) continue;
    const Record r = record(reader, name);
    if (std::string_view(r.bytes(), r.size).find(kSealedKey) != std::string_view::npos) return true;
  }
  return false;
}

// The seal is the tensor record that decodes as a CBOR object naming an algorithm; the content is the
// largest other one (a sealed file holds just these two).
void find_seal(PyTorchStreamReader& reader, json& seal, Record& content) {
  for (const auto& name : reader.getAllRecords()) {
    if (name.rfind("data/", 0) != 0) continue;
    Record r = record(reader, name);
    const auto* bytes = reinterpret_cast<const uint8_t*>(r.bytes());
    json decoded = r.size < 4096 ? json::from_cbor(bytes, bytes + r.size, true, false) : json();
    if (seal.is_null() && decoded.is_object() && decoded.contains("algorithm")) {
      seal = std::move(decoded);
    } else if (content.size < r.size) {
      content = std::move(r);
    }
  }
}

// Little-endian fields of a zip record.
uint64_t le(const std::string& bytes, size_t at, int width) {
  uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = value << 8 | uint8_t(bytes[at + i]);
  return value;
}

std::string read_at(std::ifstream& in, uint64_t offset, uint64_t size) {
  std::string bytes(static_cast<size_t>(size), '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) return {};
  return bytes;
}

// The central directory where LibTorch's zip reader (miniz 2.1) looks for it: after the last end
// record with its 22 bytes in the file, or where the ZIP64 end record that a locator just before it
// points to says. Empty when that does not parse: the reader then refuses the file itself.
std::string central_directory(std::ifstream& in, uint64_t file_size) {
  const uint64_t window = std::min<uint64_t>(file_size, 65535 + 22 + 4096);
  const std::string tail = read_at(in, file_size - window, window);
  size_t end = tail.size() < 22 ? std::string::npos : tail.rfind(std::string("PK\x05\x06", 4), tail.size() - 22);
  if (tail.empty() || end == std::string::npos) return {};
  const uint64_t end_offset = file_size - window + end;
  uint64_t size = le(tail, end + 12, 4), offset = le(tail, end + 16, 4);
  if (end_offset >= 20 + 56) {
    const std::string locator = read_at(in, end_offset - 20, 20);
    if (!locator.empty() && le(locator, 0, 4) == 0x07064b50u) {
      const uint64_t record_offset = le(locator, 8, 8);
      if (record_offset > file_size - 56) return {};
      const std::string record = read_at(in, record_offset, 56);
      if (!record.empty() && le(record, 0, 4) == 0x06064b50u) size = le(record, 40, 8), offset = le(record, 48, 8);
    }
  }
  if (size > file_size || offset > file_size - size) return {};
  return read_at(in, offset, size);
}

// A zip entry claiming more bytes than the whole file is damage, and LibTorch's reader would try to
// allocate them (fuzzing found 3.8 GB entries in 11 kB files, through the plain and the ZIP64 end
// record). Reads the central directory only.
void check_entry_sizes(const std::filesystem::path& file, const std::string& what) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return;
  const auto file_size = static_cast<uint64_t>(in.tellg());
  const std::string cd = central_directory(in, file_size);
  for (size_t at = 0; at + 46 <= cd.size() && le(cd, at, 4) == 0x02014b50u;) {
    const size_t name_len = le(cd, at + 28, 2), extra_len = le(cd, at + 30, 2), comment_len = le(cd, at + 32, 2);
    if (at + 46 + name_len + extra_len > cd.size()) return;
    uint64_t size = le(cd, at + 24, 4);
    // ZIP64: the real size is in the extra field 0x0001, first of its 8-byte values.
    for (size_t x = at + 46 + name_len; size == 0xFFFFFFFFu && x + 12 <= at + 46 + name_len + extra_len;
         x += 4 + le(cd, x + 2, 2))
      if (le(cd, x, 2) == 0x0001) size = le(cd, x + 4, 8);
    if (size > file_size)
      throw Error(damaged(what, file, "its entry \"" + cd.substr(at + 46, name_len) + "\" claims " +
                                          std::to_string(size) + " bytes, more than the whole file (" +
                                          std::to_string(file_size) + ")"));
    at += 46 + name_len + extra_len + comment_len;
  }
}

// The checked bytes of the sealed archive; nothing for a file written before seals (adapt 0.2.0).
std::optional<Record> sealed_content(const std::filesystem::path& file, const std::string& what) {
  check_entry_sizes(file, what);
  return unless_unreadable(what, file, [&]() -> std::optional<Record> {
    PyTorchStreamReader reader(file.string());
    if (!is_sealed(reader)) return std::nullopt;
    json seal;
    Record content;
    find_seal(reader, seal, content);
    if (seal.is_null())
      throw Error(damaged(what, file, "its seal (entry \"" + std::string(kSealKey) + "\") does not parse"));
    const std::string digest = xxh3_128_hex(content.bytes(), content.size);
    if (seal["algorithm"] != "xxh3-128" || seal["bytes"] != content.size || seal["digest"] != digest)
      throw Error(damaged(what, file, "the content of entry \"" + std::string(kSealedKey) + "\" (" +
                                          std::to_string(content.size) + " bytes, XXH3-128 " + digest +
                                          ") does not match its recorded checksum " +
                                          seal["digest"].dump(-1, ' ', false, json::error_handler_t::replace)));
    return content;
  });
}

}  // namespace

void load_archive(torch::serialize::InputArchive& archive, const std::filesystem::path& file, const std::string& what) {
  if (!std::filesystem::exists(file)) throw Error(what + " " + file.string() + " does not exist");
  if (std::filesystem::is_directory(file)) throw Error(what + " " + file.string() + " is a directory, not a file");
  const std::optional<Record> content = sealed_content(file, what);
  if (!content) {  // written before seals: LibTorch reads it unchecked, as it always did
    unless_unreadable(what, file, [&] { archive.load_from(file.string()); });
    return;
  }
  try {
    archive.load_from(content->bytes(), content->size);
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
