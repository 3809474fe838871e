#pragma once
// Atomic writes: the data goes to a temporary file in the same directory, is flushed to disk, and
// is renamed over the target. A crash at any point leaves either the old file or the new one.
#include <filesystem>
#include <functional>
#include <string>

#include "adapt/common/error.h"

namespace adapt {

// Calls write(temp_path) and then renames temp_path to `target`. If write throws, the temporary
// file is removed and the exception propagates; `target` is untouched.
void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path& temp_path)>& write);
// Writes `bytes` (text or binary) through checked writes: a full disk is an Error naming the file, the
// bytes needed and the free space, and leaves no temporary. Temporaries of killed writers of the same
// target are removed first.
void write_text_atomically(const std::filesystem::path& target, const std::string& bytes);

}  // namespace adapt
