#include "adapt/data/readers.h"

namespace adapt {

CsvReader::CsvReader(CsvReaderOptions options) : options_(std::move(options)) {
  if (options_.path().empty()) throw OptionError("reader.path: give the CSV/TSV file to read");
}

Records CsvReader::read() const {
  Records records = read_csv_file(options_.path(), options_.csv());
  if (records.empty()) {
    throw DataError(options_.path() + ": the table has a header but no rows; a reader must yield at least one record");
  }
  return records;
}

}  // namespace adapt
