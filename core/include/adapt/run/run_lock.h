#pragma once
// A run directory belongs to one run at a time. RunDirectoryLock holds an exclusive flock on
// DIR/.adapt.lock, with the holder's pid written in it; the kernel releases it when the process ends,
// however it ends, so a killed run never leaves a directory locked.
#include <filesystem>

#include "adapt/common/error.h"

namespace adapt {

class ADAPT_API RunDirectoryLock {
 public:
  // Creates DIR when needed; throws Error naming the holder's pid when another run holds it.
  explicit RunDirectoryLock(const std::filesystem::path& dir);
  ~RunDirectoryLock();
  RunDirectoryLock(const RunDirectoryLock&) = delete;
  RunDirectoryLock& operator=(const RunDirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace adapt
