// The text plugin's readers (text/src/readers.h): text.csv and text.corpus on any file content give
// records of valid UTF-8 or a DataError/OptionError. (The SentencePiece shim is not fuzzed: it is
// opened with RTLD_DEEPBIND, which AddressSanitizer cannot run.)
#include "fuzz_support.h"
#include "readers.h"
#include "utf8.h"

using namespace adapt::text;

namespace {

// Byte 1: which reader, the file's extension (text.csv's "auto" delimiter reads it), UTF-8 policy;
// byte 2: text.csv's delimiter, header, quoting, label and duplicates, or text.corpus's chunk size.
std::shared_ptr<adapt::Reader> reader_from(uint8_t a, uint8_t b, const std::string& content) {
  static const char* names[] = {"fuzz.csv", "fuzz.tsv", "fuzz.txt", "fuzz.tab"};
  const auto path = adapt::fuzz::scratch_file(names[(a >> 1) & 3], content);
  const std::string utf8 = (a & 8) ? "replace" : "error";
  if (a & 1) {
    CorpusReaderOptions o;
    o.path = path;
    o.chunk_chars = (b & 1) ? 1 : (b & 2) ? 16 : 2000;
    o.invalid_utf8 = utf8;
    return std::make_shared<CorpusReader>(o);
  }
  static const char* delimiters[] = {"auto", ",", "tab", ";"};
  CsvReaderOptions o;
  o.path = path;
  o.delimiter = delimiters[b & 3];
  o.header = !(b & 4);
  if (!o.header) o.column_names = {"label", "text"};
  o.quoting = !(b & 8);
  if (b & 16) o.label_column = "";
  if (b & 32) o.text_columns = {"text", "title"};
  o.drop_duplicates = b & 64;
  o.invalid_utf8 = utf8;
  return std::make_shared<CsvReader>(o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  adapt::fuzz::Input in(data, size);
  const uint8_t a = in.byte(), b = in.byte();
  const auto reader = reader_from(a, b, in.rest());
  adapt::fuzz::refuse_cleanly([&] {
    adapt::Records r = reader->read();
    for (size_t c = 0; c < r.column_names().size(); ++c)
      for (size_t i = 0; i < r.size(); ++i)
        adapt::fuzz::check(find_invalid_utf8(r.at(i, c)) == std::string::npos, "every field is valid UTF-8");
    (void)a;
  });
  return 0;
}
