// The recsys plugin's interactions reader (recsys/src/interactions_reader.h): any text in any format
// gives user/item/rating/timestamp records or a DataError naming the line.
#include "fuzz_support.h"
#include "interactions_reader.h"

using adapt::recsys::InteractionsReader;
using adapt::recsys::InteractionsReaderOptions;

namespace {

// Byte 1: format (auto guesses from the file name, so that varies too), implicit, duplicates;
// byte 2: a declared rating range.
InteractionsReaderOptions options_from(adapt::fuzz::Input& in, std::string& source) {
  const uint8_t a = in.byte(), b = in.byte();
  static const char* formats[] = {"auto", "csv", "tsv", "udata", "dat", "auto", "auto", "auto"};
  static const char* names[] = {"ratings.csv", "u.data", "ratings.dat", "ratings.tsv"};
  static const char* duplicates[] = {"error", "keep_last", "keep_first", "error"};
  InteractionsReaderOptions o;
  o.format = formats[a & 7];
  source = names[(a >> 3) & 3];
  o.implicit = a & 32;
  o.duplicates = duplicates[(a >> 6) & 3];
  if (b & 1) o.rating_min = 0.5;
  if (b & 2) o.rating_max = 5.0;
  if (b & 4) o.user_column = "u";
  if (b & 8) o.timestamp_column = "when";
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  adapt::fuzz::Input in(data, size);
  std::string source;
  const InteractionsReader reader(options_from(in, source));
  adapt::fuzz::refuse_cleanly([&] {
    adapt::Records r = reader.parse(in.rest(), source);
    adapt::fuzz::check(r.column_names().size() == 4, "four columns");
    for (size_t i = 0; i < r.size(); ++i)
      adapt::fuzz::check(!r.at(i, "user").empty() && !r.at(i, "item").empty(), "ids are never empty");
  });
  return 0;
}
