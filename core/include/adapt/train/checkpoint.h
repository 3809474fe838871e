#pragma once
// Building blocks of checkpoints and exports: both are torch::serialize archives (zip files) holding
// tensors, with metadata stored as CBOR bytes in a uint8 tensor (nlohmann json, so binary blobs such as
// tokenizer models survive). Writers go through write_atomically (atomic_file.h).
#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <filesystem>
#include <string>

#include "adapt/common/options.h"

namespace adapt {

// json <-> archive entry `key` (CBOR bytes as a uint8 tensor).
ADAPT_API void write_json(torch::serialize::OutputArchive& archive, const std::string& key, const json& value);
// Throws Error naming `what` (e.g. the file) when the key is missing or not valid CBOR.
ADAPT_API json read_json(torch::serialize::InputArchive& archive, const std::string& key, const std::string& what);

// Every parameter and buffer of `module` by its dotted name.
ADAPT_API void write_module_state(torch::serialize::OutputArchive& archive, const torch::nn::Module& module);
// Copies the archive's tensors into `module`'s parameters and buffers (in place, so optimizers keep
// their references). A missing name or a shape mismatch is an Error naming it, `what` and what to do.
ADAPT_API void read_module_state(torch::serialize::InputArchive& archive, torch::nn::Module& module,
                                 const std::string& what);

// The default CPU generator's state (dropout, initialisation), for bit-identical resume.
ADAPT_API torch::Tensor torch_rng_state();
ADAPT_API void set_torch_rng_state(const torch::Tensor& state);

// Opens an archive, turning torch's errors into an adapt::Error naming the file.
ADAPT_API void load_archive(torch::serialize::InputArchive& archive, const std::filesystem::path& file,
                            const std::string& what);
// Saves an archive atomically (temp file + rename).
ADAPT_API void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file);

}  // namespace adapt
