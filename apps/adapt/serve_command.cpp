// `adapt serve MODEL`: loads the exports, answers HTTP until SIGINT/SIGTERM, reloads on SIGHUP.
// Signals only set flags; a watcher thread acts on them, outside the signal handler.
#include <csignal>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include <adapt/plugin/plugin_host.h>

#include "commands.h"
#include "serve/model_slots.h"
#include "serve/serve_metrics.h"
#include "serve/server.h"

namespace adapt::cli {
namespace {

std::atomic<int> g_reload_requests{0};
std::atomic<bool> g_stop_requested{false};

extern "C" void on_reload_signal(int) { g_reload_requests.fetch_add(1); }
extern "C" void on_stop_signal(int) { g_stop_requested.store(true); }

void install_signal_handlers() {
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  action.sa_handler = on_reload_signal;
  sigaction(SIGHUP, &action, nullptr);
  action.sa_handler = on_stop_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  action.sa_handler = SIG_IGN;  // a client that hangs up must not end the server
  sigaction(SIGPIPE, &action, nullptr);
}

std::string mode_text(const serve::ServeOptions& o) {
  if (o.mode == serve::CandidateMode::shadow)
    return ", shadow " + o.candidate_file.string() + " (log " + o.shadow_log.string() + ")";
  if (o.mode == serve::CandidateMode::canary)
    return ", canary " + o.candidate_file.string() + " answering " + std::to_string(o.canary_pct) + "%";
  return "";
}

}  // namespace

int serve(const Global&, const serve::ServeOptions& options) {
  report_plugin_problems();
  g_reload_requests = 0;
  g_stop_requested = false;
  install_signal_handlers();
  serve::ServeMetrics metrics(options.window);
  serve::ModelSlots slots(options, global_registry(), metrics);
  serve::Server server(options, slots, metrics);
  const int port = server.bind();
  std::cout << "adapt serve: listening on http://" << options.host << ":" << port << " (model "
            << options.model_file.string() << mode_text(options) << ")" << std::endl;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    int handled = 0;
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (g_stop_requested) {
        server.stop();
        continue;
      }
      const int requested = g_reload_requests.load();
      if (requested == handled) continue;
      handled = requested;
      try {
        server.reload();
        std::cerr << "adapt serve: reloaded on SIGHUP\n";
      } catch (const std::exception& e) {
        std::cerr << "adapt serve: error: " << e.what() << "\n";
      }
    }
  });
  server.listen();
  done = true;
  watcher.join();
  std::cerr << "adapt serve: stopped\n";
  return 0;
}

}  // namespace adapt::cli
