#pragma once
// recsys.interactions: user/item interaction files -> Records with the columns
// "user", "item", "rating", "timestamp" (ids stay strings; any id format works).
// Formats: CSV with a header (MovieLens ratings.csv), TSV, MovieLens 100k u.data (TAB separated, no
// header) and MovieLens 1M ratings.dat ("::" separated, no header).
#include <adapt/data/reader.h>

#include <optional>
#include <string>

namespace adapt::recsys {

struct InteractionsReaderOptions {
  std::string path;
  std::string format = "auto";  // auto, csv, tsv, udata, dat
  // Column names in the file; "auto" accepts the usual spellings (user, userId, user_id, ...).
  std::string user_column = "auto", item_column = "auto", rating_column = "auto", timestamp_column = "auto";
  bool implicit = false;  // no rating column needed; every interaction gets rating "1"
  std::optional<double> rating_min, rating_max;
  std::string duplicates = "error";  // error, keep_last (latest timestamp wins), keep_first
};

class InteractionsReader : public Reader {
 public:
  explicit InteractionsReader(InteractionsReaderOptions options);
  static OptionSchema schema();
  static InteractionsReaderOptions from_options(const Options& options);

  Records read() const override;
  // "USER,ITEM" (or TAB separated), or "NAME=ID" pairs naming the user and item columns in either
  // order ("userId=5,movieId=31") -> a row with columns user, item.
  Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const override;

  // Parses text as if it came from `source` (tests and in-memory data).
  Records parse(const std::string& text, const std::string& source) const;

 private:
  std::string role_named(const std::string& name) const;
  InteractionsReaderOptions options_;
};

}  // namespace adapt::recsys
