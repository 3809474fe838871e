#pragma once
// The body of POST /v1/predict -> the raw inputs `adapt predict` takes on its command line, so both
// go through the same Predictor::read_inputs and give the same bits.
//   {"inputs": [ITEM, ...], "key": "optional sticky key for canary routing"}
//   ITEM: "a string"                      a text, a sequence, a CSV row, name=value pairs
//         {"column": value, ...}          one row by column name (numbers, strings, null = missing)
//         {"wav_base64": "UklGR..."}      audio: a WAV (or any libsndfile format) file, base64
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace adapt::serve {

// A request the server refuses with 400; what() names the field and what to send instead.
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Files written for one request's audio; removed when the last job reading them lets go.
class TempFiles {
 public:
  TempFiles() = default;
  TempFiles(const TempFiles&) = delete;
  TempFiles& operator=(const TempFiles&) = delete;
  ~TempFiles();
  std::filesystem::path write(const std::filesystem::path& dir, const std::string& name, const std::string& bytes);

 private:
  std::vector<std::filesystem::path> files_;
};

struct RequestInputs {
  std::vector<std::string> raw;  // one per item, as `adapt predict MODEL INPUT...` takes them
  std::string key;               // "" when the request gives none
  std::shared_ptr<TempFiles> files;
};

struct InputLimits {
  size_t max_inputs = 1024;
  std::filesystem::path temp_dir;  // where audio is written; private to the server
  std::string reader;              // the model's reader: only audio readers take {"wav_base64": ...}
};

// `input_columns` are the columns the model's input blocks read: an object naming just the one
// column of a one-column model is its raw value, any other object becomes name=value pairs.
// Throws BadRequest.
RequestInputs parse_request(const std::string& body, const std::vector<std::string>& input_columns,
                            const InputLimits& limits, const std::string& request_id);

}  // namespace adapt::serve
