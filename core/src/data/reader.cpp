#include "adapt/data/reader.h"

namespace adapt {

Reader::~Reader() = default;

Records Reader::read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const {
  if (input_column.empty()) {
    throw OptionError("reader: read_inputs needs the name of the column the inputs fill; got an empty name");
  }
  Records records({input_column}, "command line");
  for (size_t i = 0; i < inputs.size(); ++i) records.add_row({inputs[i]}, "input " + std::to_string(i + 1));
  return records;
}

std::vector<std::string> Reader::predict_columns(const std::vector<std::string>& input_columns) const {
  return input_columns;
}

void Reader::complete(Records&) const {}

}  // namespace adapt
