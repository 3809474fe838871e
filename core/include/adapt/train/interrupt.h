#pragma once
// Ctrl-C while a model trains. Once catch_interrupts() is installed (the `adapt` command does; a host
// may), the first SIGINT during a fit asks the learner to stop after the current batch: it writes its
// interrupt checkpoint (Learner::set_interrupt_checkpoint) and throws Interrupted, which says how to
// go on. A SIGINT outside a fit, or a second one, ends the process as usual.
#include "adapt/common/error.h"

namespace adapt {

// The fit was stopped by request; what() names the checkpoint written, if any.
class ADAPT_API Interrupted : public Error {
 public:
  using Error::Error;
  ~Interrupted() override;
};

// Installs the SIGINT handler (once; later calls do nothing).
ADAPT_API void catch_interrupts();

// What the handler does; hosts and tests may call it from any thread.
ADAPT_API void request_interrupt();
ADAPT_API bool interrupt_requested();
ADAPT_API void clear_interrupt();

// While one exists (the learner holds one during a fit), SIGINT is a request, not the end.
class ADAPT_API InterruptibleSection {
 public:
  InterruptibleSection();
  ~InterruptibleSection();
  InterruptibleSection(const InterruptibleSection&) = delete;
  InterruptibleSection& operator=(const InterruptibleSection&) = delete;
};

}  // namespace adapt
