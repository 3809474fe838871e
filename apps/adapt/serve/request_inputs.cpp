#include "request_inputs.h"

#include <fstream>
#include <system_error>

#include "base64.h"

namespace adapt::serve {

using nlohmann::json;

namespace {

std::string where(size_t i) { return "inputs[" + std::to_string(i) + "]"; }

// A value as the CSV reader would have read it from a file.
std::string field_text(const json& value, const std::string& what) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  throw BadRequest(what + " is " + std::string(value.type_name()) + "; give a string, a number or null");
}

// One CSV field: quoted when it holds a delimiter, a quote or a line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string row_from_object(const json& item, const std::vector<std::string>& columns, size_t i) {
  if (item.empty()) throw BadRequest(where(i) + " is an empty object; give the model's columns by name");
  if (columns.size() == 1 && item.size() == 1 && item.contains(columns.front()))
    return field_text(item.at(columns.front()), where(i) + "." + columns.front());
  std::string row;
  for (const auto& [name, value] : item.items()) {
    if (!row.empty()) row += ",";
    row += csv_field(name + "=" + field_text(value, where(i) + "." + name));
  }
  return row;
}

std::string audio_file(const json& item, size_t i, const InputLimits& limits, const std::string& request_id,
                       TempFiles& files) {
  if (limits.reader.rfind("audio.", 0) != 0)
    throw BadRequest(where(i) + " is audio, but this model's reader (" + limits.reader +
                     ") does not read audio; send what it reads (a text, a row, a sequence)");
  if (item.size() != 1 || !item.at("wav_base64").is_string())
    throw BadRequest(where(i) + ": an audio input is {\"wav_base64\": \"<the file, base64>\"} and nothing else");
  auto bytes = decode_base64(item.at("wav_base64").get_ref<const std::string&>());
  if (!bytes) throw BadRequest(where(i) + ".wav_base64 is not base64 (RFC 4648, standard alphabet)");
  if (bytes->empty()) throw BadRequest(where(i) + ".wav_base64 is empty; send the whole audio file");
  return files.write(limits.temp_dir, request_id + "-" + std::to_string(i) + ".wav", *bytes).string();
}

// A server reads no file a client names: readers that take paths (a CSV or FASTA file) would
// otherwise read the server's disk for anyone who can reach the port.
void refuse_server_path(const std::string& text, size_t i) {
  std::error_code ec;
  if (text.size() < 4096 && std::filesystem::is_regular_file(text, ec))
    throw BadRequest(where(i) + " names a file on the server; send the values themselves (a row, a text, a "
                     "sequence), or audio as {\"wav_base64\": ...}");
}

}  // namespace

TempFiles::~TempFiles() {
  std::error_code ec;
  for (const auto& file : files_) std::filesystem::remove(file, ec);
}

std::filesystem::path TempFiles::write(const std::filesystem::path& dir, const std::string& name,
                                       const std::string& bytes) {
  const std::filesystem::path file = dir / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write the audio input to " + file.string() + " (disk full?)");
  files_.push_back(file);
  return file;
}

RequestInputs parse_request(const std::string& body, const std::vector<std::string>& input_columns,
                            const InputLimits& limits, const std::string& request_id) {
  json request;
  try {
    request = json::parse(body);
  } catch (const json::parse_error& e) {
    throw BadRequest(std::string("the body is not JSON (") + e.what() +
                     "); send {\"inputs\": [...]} with Content-Type: application/json");
  }
  if (!request.is_object()) throw BadRequest("the body must be a JSON object {\"inputs\": [...]}");
  for (const auto& [name, value] : request.items())
    if (name != "inputs" && name != "key")
      throw BadRequest("unknown field \"" + name + "\"; a request has \"inputs\" and, optionally, \"key\"");
  if (!request.contains("inputs")) throw BadRequest("the body has no \"inputs\" field; send {\"inputs\": [...]}");
  const json& items = request.at("inputs");
  if (!items.is_array())
    throw BadRequest("\"inputs\" is " + std::string(items.type_name()) + "; it must be an array of inputs");
  if (items.empty()) throw BadRequest("\"inputs\" is empty; send at least one input");
  if (items.size() > limits.max_inputs)
    throw BadRequest("\"inputs\" holds " + std::to_string(items.size()) + " inputs; at most " +
                     std::to_string(limits.max_inputs) + " per request (--max-inputs)");
  RequestInputs out;
  out.files = std::make_shared<TempFiles>();
  if (request.contains("key")) {
    const json& key = request.at("key");
    if (!key.is_string()) throw BadRequest("\"key\" is " + std::string(key.type_name()) + "; it must be a string");
    out.key = key.get<std::string>();
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    if (item.is_string()) {
      refuse_server_path(item.get_ref<const std::string&>(), i);
      out.raw.push_back(item.get<std::string>());
    } else if (item.is_object() && item.contains("wav_base64")) {
      out.raw.push_back(audio_file(item, i, limits, request_id, *out.files));
    } else if (item.is_object()) {
      out.raw.push_back(row_from_object(item, input_columns, i));
    } else {
      throw BadRequest(where(i) + " is " + std::string(item.type_name()) +
                       "; an input is a string, an object of column values, or {\"wav_base64\": ...}");
    }
  }
  return out;
}

}  // namespace adapt::serve
