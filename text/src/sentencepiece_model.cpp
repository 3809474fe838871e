#include "sentencepiece_model.h"

#include <fmt/format.h>

#include <mutex>
#include <sstream>

#include "adapt/common/error.h"
#include "adapt/plugin/deepbind.h"
#include "adapt_text_spm.h"

namespace adapt::text {
namespace {

// The shim's entry points, resolved once. The library is opened with RTLD_DEEPBIND (adapt::
// DeepbindLibrary) so its bundled protobuf binds to itself, never to LibTorch's.
struct Shim {
  decltype(&adapt_spm_train) train;
  decltype(&adapt_spm_load) load;
  decltype(&adapt_spm_free_model) free_model;
  decltype(&adapt_spm_encode) encode;
  decltype(&adapt_spm_encode_pieces) encode_pieces;
  decltype(&adapt_spm_decode) decode;
  decltype(&adapt_spm_vocab_size) vocab_size;
  decltype(&adapt_spm_piece_to_id) piece_to_id;
  decltype(&adapt_spm_id_to_piece) id_to_piece;
  decltype(&adapt_spm_free_buffer) free_buffer;
  std::string path;
};

constexpr const char* shim_file = "text/adapt_text_spm.so";

void anchor() {}

const Shim& shim() {
  static const Shim instance = [] {
    const auto path = library_beside(reinterpret_cast<const void*>(&anchor), shim_file);
    // Never unloaded, like the plugin itself.
    static DeepbindLibrary* library = new DeepbindLibrary(path);
    Shim s;
    s.train = library->function<std::remove_pointer_t<decltype(s.train)>>("adapt_spm_train");
    s.load = library->function<std::remove_pointer_t<decltype(s.load)>>("adapt_spm_load");
    s.free_model = library->function<std::remove_pointer_t<decltype(s.free_model)>>("adapt_spm_free_model");
    s.encode = library->function<std::remove_pointer_t<decltype(s.encode)>>("adapt_spm_encode");
    s.encode_pieces =
        library->function<std::remove_pointer_t<decltype(s.encode_pieces)>>("adapt_spm_encode_pieces");
    s.decode = library->function<std::remove_pointer_t<decltype(s.decode)>>("adapt_spm_decode");
    s.vocab_size = library->function<std::remove_pointer_t<decltype(s.vocab_size)>>("adapt_spm_vocab_size");
    s.piece_to_id = library->function<std::remove_pointer_t<decltype(s.piece_to_id)>>("adapt_spm_piece_to_id");
    s.id_to_piece = library->function<std::remove_pointer_t<decltype(s.id_to_piece)>>("adapt_spm_id_to_piece");
    s.free_buffer = library->function<std::remove_pointer_t<decltype(s.free_buffer)>>("adapt_spm_free_buffer");
    s.path = path.string();
    return s;
  }();
  return instance;
}

std::string take_error(char* error) {
  std::string message = error ? error : "unknown error";
  if (error) shim().free_buffer(error);
  return message;
}

// SentencePiece's flag parser splits on spaces and commas; symbols holding them cannot be passed.
void check_symbol(const std::string& symbol) {
  if (symbol.empty() || symbol.find_first_of(" ,\t\n=") != std::string::npos)
    throw Error(fmt::format(
        "text tokenizer: special token '{}' is empty or contains a space, comma, tab, newline or '='; "
        "choose a token without those characters",
        symbol));
}

}  // namespace

std::string sentencepiece_shim_path() { return shim().path; }

SentencePieceModel::SentencePieceModel(std::string bytes, adapt_spm_model* handle)
    : bytes_(std::move(bytes)), handle_(handle) {}

SentencePieceModel::~SentencePieceModel() {
  if (handle_) shim().free_model(handle_);
}

std::shared_ptr<SentencePieceModel> SentencePieceModel::train(const std::vector<std::string>& sentences,
                                                              const SentencePieceTrainOptions& options) {
  if (options.model_type != "unigram" && options.model_type != "bpe")
    throw Error(fmt::format("text tokenizer: model_type must be 'unigram' or 'bpe', got '{}'",
                            options.model_type));
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
  size_t characters = 0;
  for (const auto& s : sentences) {
    if (s.empty()) continue;
    pointers.push_back(s.data());
    lengths.push_back(s.size());
    characters += s.size();
  }
  if (pointers.empty())
    throw Error("text tokenizer: every training text is empty; there is nothing to learn a vocabulary from. "
                "Check the text column of the training rows");
  std::ostringstream args;
  // Fixed control ids so models and padding agree: 0 unk, 1 bos, 2 eos, 3 pad. hard_vocab_limit=false
  // lets a small corpus give a smaller vocabulary instead of failing; one thread keeps it reproducible.
  args << "--model_type=" << options.model_type << " --vocab_size=" << options.vocab_size
       << " --character_coverage=" << options.character_coverage
       << " --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=3 --hard_vocab_limit=false"
       << " --num_threads=1 --minloglevel=2 --max_sentence_length=" << options.max_sentence_length
       << " --input_sentence_size=0 --shuffle_input_sentence=false";
  if (!options.user_symbols.empty()) {
    args << " --user_defined_symbols=";
    for (size_t i = 0; i < options.user_symbols.size(); ++i) {
      check_symbol(options.user_symbols[i]);
      args << (i ? "," : "") << options.user_symbols[i];
    }
  }
  char* bytes = nullptr;
  size_t size = 0;
  char* error = nullptr;
  if (shim().train(pointers.data(), lengths.data(), pointers.size(), args.str().c_str(), &bytes, &size,
                   &error) != 0)
    throw Error(fmt::format("text tokenizer: SentencePiece training on {} texts ({} bytes) failed: {}. "
                            "Check vocab_size (a small corpus needs a small vocabulary) and the options",
                            pointers.size(), characters, take_error(error)));
  std::string model(bytes, size);
  shim().free_buffer(bytes);
  return load(model);
}

std::shared_ptr<SentencePieceModel> SentencePieceModel::load(const std::string& bytes) {
  adapt_spm_model* handle = nullptr;
  char* error = nullptr;
  if (shim().load(bytes.data(), bytes.size(), &handle, &error) != 0)
    throw Error(fmt::format("text tokenizer: cannot load the SentencePiece model ({} bytes): {}. "
                            "The export may be damaged; export it again",
                            bytes.size(), take_error(error)));
  return std::shared_ptr<SentencePieceModel>(new SentencePieceModel(bytes, handle));
}

std::vector<int> SentencePieceModel::encode(const std::string& text) const {
  int* ids = nullptr;
  size_t n = 0;
  char* error = nullptr;
  if (shim().encode(handle_, text.data(), text.size(), &ids, &n, &error) != 0)
    throw Error("text tokenizer: encoding failed: " + take_error(error));
  std::vector<int> out(ids, ids + n);
  shim().free_buffer(ids);
  return out;
}

std::vector<std::string> SentencePieceModel::encode_pieces(const std::string& text) const {
  char* joined = nullptr;
  size_t size = 0;
  char* error = nullptr;
  if (shim().encode_pieces(handle_, text.data(), text.size(), &joined, &size, &error) != 0)
    throw Error("text tokenizer: encoding failed: " + take_error(error));
  std::vector<std::string> pieces;
  std::string all(joined, size);
  shim().free_buffer(joined);
  size_t start = 0;
  while (!all.empty()) {
    const size_t end = all.find('\n', start);
    pieces.push_back(all.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return pieces;
}

std::string SentencePieceModel::decode(const std::vector<int>& ids) const {
  const int n = vocab_size();
  for (int id : ids)
    if (id < 0 || id >= n)
      throw Error(fmt::format("text tokenizer: cannot decode id {}: the vocabulary has ids 0..{}", id, n - 1));
  char* text = nullptr;
  size_t size = 0;
  char* error = nullptr;
  if (shim().decode(handle_, ids.data(), ids.size(), &text, &size, &error) != 0)
    throw Error("text tokenizer: decoding failed: " + take_error(error));
  std::string out(text, size);
  shim().free_buffer(text);
  return out;
}

int SentencePieceModel::vocab_size() const { return shim().vocab_size(handle_); }

int SentencePieceModel::piece_to_id(const std::string& piece) const {
  return shim().piece_to_id(handle_, piece.c_str());
}

std::string SentencePieceModel::id_to_piece(int id) const {
  const char* piece = shim().id_to_piece(handle_, id);
  if (piece == nullptr)
    throw Error(fmt::format("text tokenizer: id {} is outside the vocabulary (size {})", id, vocab_size()));
  return piece;
}

}  // namespace adapt::text
