#include "adapt/train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <cstring>
#include <mutex>

#include "adapt/common/atomic_file.h"

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

void load_archive(torch::serialize::InputArchive& archive, const std::filesystem::path& file, const std::string& what) {
  if (!std::filesystem::exists(file)) throw Error(what + " " + file.string() + " does not exist");
  try {
    archive.load_from(file.string());
  } catch (const c10::Error& e) {
    throw Error(what + " " + file.string() + " cannot be read (" + e.what_without_backtrace() +
                "); it is not an adapt file or it is damaged");
  }
}

void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file) {
  write_atomically(file, [&](const std::filesystem::path& temp) { archive.save_to(temp.string()); });
}

}  // namespace adapt
