#pragma once
// Reader: a source on disk -> Records.
#include <string>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/data/records.h"

namespace adapt {

class ADAPT_API Reader {
 public:
  virtual ~Reader();
  virtual Records read() const = 0;
  // Raw inputs given on the command line (`adapt predict MODEL INPUT...`) -> records with the
  // columns the blocks read. The default puts each input in `input_column` of its own row.
  virtual Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const;
};

}  // namespace adapt
