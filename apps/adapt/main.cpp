// adapt: the command-line host. `adapt plugins ...` (and --help, --version) are answered here from
// the plugin cache, without LibTorch; every other command runs in libadapt_cli, opened only then, so
// listing plugins takes milliseconds instead of LibTorch's half-second start-up.
#include <dlfcn.h>

#include <adapt/common/error.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli_definition.h"
#include "plugins_command.h"

// LeakSanitizer checks for leaks at exit.
#if defined(__SANITIZE_ADDRESS__)
#define ADAPT_RUN_EXIT_HANDLERS
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ADAPT_RUN_EXIT_HANDLERS
#endif
#endif

namespace {

// Opens libadapt_cli (found through this program's RUNPATH) and hands it the whole command line.
int run_full_cli(int argc, char** argv) {
  void* library = ::dlopen("libadapt_cli.so", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    std::cerr << "adapt: error: cannot load libadapt_cli.so (" << ::dlerror()
              << "); the adapt installation is incomplete: reinstall it\n";
    return 1;
  }
  using Main = int (*)(int, char**);
  auto cli_main = reinterpret_cast<Main>(::dlsym(library, "adapt_cli_main"));
  if (!cli_main) {
    std::cerr << "adapt: error: libadapt_cli.so has no adapt_cli_main; reinstall adapt\n";
    return 1;
  }
  const int code = cli_main(argc, argv);
#ifdef ADAPT_RUN_EXIT_HANDLERS
  return code;
#else
  // The command is done and its files are closed; what exit() would still run is LibTorch's static
  // destructors deregistering every operator one by one (80 ms of a 1.5 s prediction run). Flush the
  // streams and leave without them.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  adapt::cli::Cli cli;
  if (int code = cli.parse(argc, argv); code >= 0) return code;
  if (!*cli.plugins) return run_full_cli(argc, argv);
  try {
    return adapt::cli::plugins_command(cli);
  } catch (const std::exception& e) {
    std::cerr << "adapt: error: " << e.what() << "\n";
    return 1;
  }
}
