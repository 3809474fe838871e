#pragma once
// What the export does to a monitor part, in miniature: write it into an archive, save the archive to
// bytes and load them back into `in`.
#include <torch/serialize/archive.h>

#include <functional>
#include <sstream>

namespace monitor_test {

inline void archive_round_trip(const std::function<void(torch::serialize::OutputArchive&)>& write,
                               torch::serialize::InputArchive& in) {
  torch::serialize::OutputArchive out;
  write(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  std::istringstream read(bytes.str());
  in.load_from(read);
}

}  // namespace monitor_test
