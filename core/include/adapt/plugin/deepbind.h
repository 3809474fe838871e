#pragma once
// For a plugin that must isolate a library of its own, e.g. the SentencePiece shim: Debian's
// libsentencepiece carries its own protobuf, which collides with LibTorch's in one process.
// open_deepbind_library opens `file` with RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND so its symbols bind
// to its own dependencies first. Keep DEEPBIND to such a shim alone. Never unloaded.
#include <filesystem>
#include <string>

#include "adapt/common/error.h"

namespace adapt {

class ADAPT_API DeepbindLibrary {
 public:
  // Throws PluginError naming the file and dlerror() when it cannot be opened.
  explicit DeepbindLibrary(const std::filesystem::path& file);
  // The address of `symbol`; throws PluginError naming the library when it is missing.
  void* symbol(const std::string& name) const;
  template <typename Function>
  Function* function(const std::string& name) const {
    return reinterpret_cast<Function*>(symbol(name));
  }
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  void* handle_;
};

// Finds a helper library that a plugin ships beside itself: looks in the directory of the shared
// object containing `address_in_plugin` (pass the address of any function of the plugin).
std::filesystem::path library_beside(const void* address_in_plugin, const std::string& file_name);

}  // namespace adapt
