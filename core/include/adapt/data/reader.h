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
  // The columns a record given at predict time must hold for blocks that read `input_columns`. The
  // default: those columns. A reader that joins a second table asks for the key instead of the
  // columns the join adds.
  virtual std::vector<std::string> predict_columns(const std::vector<std::string>& input_columns) const;
  // Adds what the reader derives from other columns (the joined ones) to predict-time records.
  virtual void complete(Records& records) const;
};

}  // namespace adapt
