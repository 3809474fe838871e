#pragma once
// Internal: official splits that come as separate files (train + test, maybe valid). Any reader with a
// "path" option that does not read such files itself takes "test_path", "valid_path" and
// "split_column" from the core (docs/recipes.md): the same reader reads each file, and the records
// come out as one table with a column naming each one's part, for core.by_column to split on.
#include <memory>
#include <string>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/data/reader.h"

namespace adapt {

// The core's options of a reader that reads split files through it.
OptionSchema split_file_schema();
// Whether the core adds those options to a reader with this schema: it has "path" and reads none of
// the split files itself.
bool core_reads_split_files(const OptionSchema& reader_schema);

struct SplitFile {
  std::string part;  // "train", "valid" or "test"
  std::string path;
  std::shared_ptr<const Reader> reader;
};

class SplitFilesReader : public Reader {
 public:
  SplitFilesReader(std::vector<SplitFile> files, std::string split_column);
  Records read() const override;
  // Inputs at predict time are read as the training file's reader reads them.
  Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const override;
  std::vector<std::string> predict_columns(const std::vector<std::string>& input_columns) const override;
  void complete(Records& records) const override;

 private:
  std::vector<SplitFile> files_;
  std::string split_column_;
};

}  // namespace adapt
