// The local launcher behind `adapt train --nproc N`: N copies of the program with the torchrun
// variables set, watched until all finish; the first that fails takes the others down with it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "adapt/distributed/distributed.h"

extern char** environ;

namespace adapt {
namespace {

volatile std::sig_atomic_t g_launcher_signal = 0;
void on_launcher_signal(int signal) { g_launcher_signal = signal; }

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int s = WTERMSIG(status);
    const char* name = ::strsignal(s);
    return "was killed by signal " + std::to_string(s) + (name ? std::string(" (") + name + ")" : std::string());
  }
  return "ended with wait status " + std::to_string(status);
}

struct Worker {
  pid_t pid = -1;
  bool running = false;
  int status = 0;
};

// Reaps whatever finished; returns the index of a worker that failed just now, or -1.
int poll_workers(std::vector<Worker>& workers) {
  int failed = -1;
  for (size_t r = 0; r < workers.size(); ++r) {
    Worker& w = workers[r];
    if (!w.running) continue;
    int status = 0;
    pid_t got = ::waitpid(w.pid, &status, WNOHANG);
    if (got == w.pid || (got < 0 && errno == ECHILD)) {
      w.running = false;
      w.status = got == w.pid ? status : 0;
      if (got == w.pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0) && failed < 0) failed = static_cast<int>(r);
    }
  }
  return failed;
}

void signal_running(std::vector<Worker>& workers, int signal) {
  for (auto& w : workers)
    if (w.running) ::kill(w.pid, signal);
}

bool any_running(const std::vector<Worker>& workers) {
  return std::any_of(workers.begin(), workers.end(), [](const Worker& w) { return w.running; });
}

// SIGTERM, a grace period, then SIGKILL; every worker is reaped before this returns.
void stop_workers(std::vector<Worker>& workers, double grace_seconds) {
  signal_running(workers, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(grace_seconds);
  while (any_running(workers) && std::chrono::steady_clock::now() < deadline) {
    poll_workers(workers);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  signal_running(workers, SIGKILL);
  for (auto& w : workers)
    if (w.running) {
      ::waitpid(w.pid, &w.status, 0);
      w.running = false;
    }
}

}  // namespace

int free_tcp_port(const std::string& address) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error(std::string("free_tcp_port: socket() failed: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (::inet_pton(AF_INET, address == "localhost" ? "127.0.0.1" : address.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    throw OptionError("MASTER_ADDR: '" + address + "' is not an IPv4 address; give one such as 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    throw Error("free_tcp_port: could not bind a port on " + address + ": " + why);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

int launch_local_workers(const std::string& exe, const std::vector<std::string>& args, const LaunchOptions& options) {
  std::ostream& err = options.err ? *options.err : std::cerr;
  if (options.nproc < 1) throw OptionError("--nproc: must be >= 1, got " + std::to_string(options.nproc));
  if (args.empty()) throw Error("launch_local_workers: no arguments (args[0] is the program name)");
  const int port = options.master_port > 0 ? options.master_port : free_tcp_port(options.master_addr);

  // Environment: the launcher's own, minus what we set per worker.
  const char* ours[] = {"RANK=", "WORLD_SIZE=", "LOCAL_RANK=", "LOCAL_WORLD_SIZE=", "MASTER_ADDR=", "MASTER_PORT=",
                        "ADAPT_LAUNCHER_PID="};
  std::vector<std::string> base;
  bool threads_set = false;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    if (std::any_of(std::begin(ours), std::end(ours), [&](const char* k) { return kv.rfind(k, 0) == 0; })) continue;
    if (kv.rfind("ADAPT_NUM_THREADS=", 0) == 0 && kv.size() > 18) threads_set = true;
    base.push_back(kv);
  }
  const int64_t cores = std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()));
  if (!threads_set) base.push_back("ADAPT_NUM_THREADS=" + std::to_string(std::max<int64_t>(1, cores / options.nproc)));
  base.push_back("WORLD_SIZE=" + std::to_string(options.nproc));
  base.push_back("LOCAL_WORLD_SIZE=" + std::to_string(options.nproc));
  base.push_back("MASTER_ADDR=" + options.master_addr);
  base.push_back("MASTER_PORT=" + std::to_string(port));
  base.push_back("ADAPT_LAUNCHER_PID=" + std::to_string(::getpid()));

  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  g_launcher_signal = 0;
  struct sigaction action {}, old_int{}, old_term{};
  action.sa_handler = on_launcher_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);
  auto restore_signals = [&] {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
  };

  std::vector<Worker> workers(static_cast<size_t>(options.nproc));
  for (int64_t r = 0; r < options.nproc; ++r) {
    std::vector<std::string> env = base;
    env.push_back("RANK=" + std::to_string(r));
    env.push_back("LOCAL_RANK=" + std::to_string(r));
    std::vector<char*> envp;
    for (auto& kv : env) envp.push_back(kv.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), envp.data());
    if (rc != 0) {
      stop_workers(workers, options.kill_grace_seconds);
      restore_signals();
      throw Error("distributed launcher: could not start worker rank " + std::to_string(r) + " (" + exe +
                  "): " + std::strerror(rc));
    }
    workers[static_cast<size_t>(r)] = {pid, true, 0};
  }

  int failed = -1;
  int forwarded = 0;
  while (any_running(workers)) {
    failed = poll_workers(workers);
    if (failed >= 0) break;
    if (g_launcher_signal != 0 && forwarded != g_launcher_signal) {
      forwarded = g_launcher_signal;
      signal_running(workers, forwarded);  // a scheduler's SIGTERM reaches every worker
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (failed >= 0) {
    const Worker& w = workers[static_cast<size_t>(failed)];
    const int others = static_cast<int>(std::count_if(workers.begin(), workers.end(), [](const Worker& x) { return x.running; }));
    err << "adapt: worker rank " << failed << " (pid " << w.pid << ") " << describe_status(w.status)
        << (others > 0 ? "; stopping the other " + std::to_string(others) + " worker(s)" : std::string()) << "\n"
        << std::flush;
    stop_workers(workers, options.kill_grace_seconds);
    restore_signals();
    throw Error("distributed run failed: worker rank " + std::to_string(failed) + " (pid " + std::to_string(w.pid) + ") " +
                describe_status(w.status) + (forwarded ? " after the launcher received signal " + std::to_string(forwarded) : "") +
                (WIFSIGNALED(w.status) ? "; a killed worker prints nothing itself (out of memory? cancelled by the scheduler?)"
                                       : "; its own error message is above"));
  }
  restore_signals();
  return 0;
}

}  // namespace adapt
