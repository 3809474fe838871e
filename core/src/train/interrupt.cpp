#include "adapt/train/interrupt.h"

#include <signal.h>

#include <atomic>

namespace adapt {
namespace {

std::atomic<bool> requested{false};
std::atomic<int> sections{0};
std::atomic<bool> installed{false};

// Async-signal-safe: lock-free atomics, sigaction and raise only.
void on_sigint(int) {
  if (sections.load() > 0 && !requested.load()) {
    requested.store(true);
    return;
  }
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(SIGINT, &fallback, nullptr);
  raise(SIGINT);
}

}  // namespace

Interrupted::~Interrupted() = default;

void catch_interrupts() {
  if (installed.exchange(true)) return;
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
}

void request_interrupt() { requested.store(true); }
bool interrupt_requested() { return requested.load(); }
void clear_interrupt() { requested.store(false); }

InterruptibleSection::InterruptibleSection() { sections.fetch_add(1); }
InterruptibleSection::~InterruptibleSection() { sections.fetch_sub(1); }

}  // namespace adapt
