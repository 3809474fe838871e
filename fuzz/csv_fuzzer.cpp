// The core CSV/TSV reader (adapt/data/csv.h): any bytes under any options give records or a
// DataError/OptionError. A table read with the default options must also survive a round trip
// through the writer (csv_writer.h promises that adapt reads back every CSV it writes unchanged).
#include "adapt/data/csv.h"
#include "adapt/data/csv_writer.h"
#include "fuzz_support.h"

namespace {

using adapt::CsvOptions;
using adapt::Records;

// Byte 1: delimiter and quoting; byte 2: header, trim, comments, empty lines, column selection.
CsvOptions options_from(adapt::fuzz::Input& in, bool& defaults) {
  const uint8_t a = in.byte(), b = in.byte();
  static const char delimiters[] = {',', '\t', ';', '|'};
  CsvOptions o;
  o.delimiter(delimiters[a & 3]).quote((a & 4) ? '\0' : '"');
  o.header(!(b & 1)).trim(b & 2).skip_empty_lines(!(b & 4));
  if (b & 8) o.comment("#");
  if (b & 16) o.column_names({"a", "b"});
  if (b & 32) o.columns({"b", "a"});
  if (b & 64) o.columns({"a", "a"});
  defaults = (a & 7) == 0 && (b & 127) == 0;
  return o;
}

std::vector<std::vector<std::string>> table_of(const Records& r) {
  std::vector<std::vector<std::string>> rows{r.column_names()};
  for (size_t i = 0; i < r.size(); ++i) {
    rows.emplace_back();
    for (size_t c = 0; c < r.column_names().size(); ++c) rows.back().push_back(r.at(i, c));
  }
  return rows;
}

// An error while reading back is a failure too: it escapes to the fuzzer.
void round_trip(const Records& first) {
  const auto table = table_of(first);
  Records again = adapt::parse_csv(adapt::csv_text(table), "written.csv");
  adapt::fuzz::check(table_of(again) == table, "a table adapt writes reads back unchanged");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  adapt::fuzz::Input in(data, size);
  bool defaults = false;
  const CsvOptions options = options_from(in, defaults);
  Records records;
  bool read = false;
  adapt::fuzz::refuse_cleanly([&] {
    records = adapt::parse_csv(in.rest(), "fuzz.csv", options);
    read = true;
  });
  if (read && defaults) round_trip(records);
  return 0;
}
