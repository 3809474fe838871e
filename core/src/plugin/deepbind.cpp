// RTLD_DEEPBIND loading for a plugin's private helper library (see deepbind.h for why).
#include "adapt/plugin/deepbind.h"

#include <dlfcn.h>

#include <mutex>

namespace adapt {

DeepbindLibrary::DeepbindLibrary(const std::filesystem::path& file) : file_(file), handle_(nullptr) {
  // dlerror() is process-wide state: serialise open + read so the message belongs to this call.
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  ::dlerror();
  // Never closed: the helper's code may be referenced by objects that live until exit.
  handle_ = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!handle_) {
    const char* message = ::dlerror();
    throw PluginError("cannot load helper library " + file.string() + ": " +
                      (message ? message : "unknown loader error") +
                      ". It ships beside its plugin; reinstall the plugin or check its dependencies with ldd.");
  }
}

void* DeepbindLibrary::symbol(const std::string& name) const {
  ::dlerror();
  void* address = ::dlsym(handle_, name.c_str());
  if (!address) {
    const char* message = ::dlerror();
    throw PluginError("helper library " + file_.string() + " has no symbol \"" + name + "\"" +
                      (message ? std::string(" (") + message + ")" : std::string()) +
                      "; it does not match its plugin: rebuild and reinstall them together.");
  }
  return address;
}

std::filesystem::path library_beside(const void* address_in_plugin, const std::string& file_name) {
  Dl_info info{};
  if (!::dladdr(address_in_plugin, &info) || !info.dli_fname) {
    throw PluginError("library_beside(" + file_name + "): the given address is not inside a loaded shared library");
  }
  std::filesystem::path plugin(info.dli_fname);
  std::error_code ec;
  auto canonical = std::filesystem::canonical(plugin, ec);
  if (!ec) plugin = canonical;
  std::filesystem::path helper = plugin.parent_path() / file_name;
  if (!std::filesystem::exists(helper, ec)) {
    throw PluginError("helper library " + file_name + " not found beside " + plugin.string() + " (looked for " +
                      helper.string() + "); install it into the same directory as the plugin.");
  }
  return helper;
}

}  // namespace adapt
