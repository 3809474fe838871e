// The SentencePiece shim: the only code in adapt that touches libsentencepiece. It includes no torch
// header and links nothing but SentencePiece, so its bundled protobuf stays private (RTLD_DEEPBIND).
#include "adapt_text_spm.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace sentencepiece::logging {
void SetMinLogLevel(int level);  // exported by libsentencepiece, not declared in its public headers
}

struct adapt_spm_model {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

char* copy_to_malloc(const std::string& text) {
  char* buffer = static_cast<char*>(std::malloc(text.size() + 1));
  if (buffer == nullptr) return nullptr;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  return buffer;
}

// RTLD_DEEPBIND pitfall: when the executable uses std::cerr, it holds a copy-relocated std::cerr that
// libstdc++ initialises, while this library (bound to its own dependencies first) sees libstdc++'s
// original, never-constructed object, and SentencePiece's log lines would crash on it. Point those
// objects at the real streams' buffers once, before SentencePiece can log.
void repair_standard_streams() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct Stream {
      std::ostream* seen_here;
      const char* symbol;
    };
    for (const auto& s : {Stream{&std::cerr, "_ZSt4cerr"}, Stream{&std::cout, "_ZSt4cout"},
                          Stream{&std::clog, "_ZSt4clog"}}) {
      auto* global = static_cast<std::ostream*>(dlsym(RTLD_DEFAULT, s.symbol));
      if (global != nullptr && global != s.seen_here) new (s.seen_here) std::ostream(global->rdbuf());
    }
    sentencepiece::logging::SetMinLogLevel(1);  // warnings and errors only
  });
}

int fail(char** error, const std::string& message) {
  if (error != nullptr) *error = copy_to_malloc(message);
  return 1;
}

// Feeds training sentences from memory, so no temporary corpus file is needed.
class MemoryIterator : public sentencepiece::SentenceIterator {
 public:
  MemoryIterator(const char* const* sentences, const size_t* lengths, size_t n)
      : sentences_(sentences), lengths_(lengths), n_(n) {
    load();
  }
  bool done() const override { return index_ >= n_; }
  void Next() override {
    ++index_;
    load();
  }
  const std::string& value() const override { return current_; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  void load() {
    if (index_ < n_) current_.assign(sentences_[index_], lengths_[index_]);
  }
  const char* const* sentences_;
  const size_t* lengths_;
  size_t n_;
  size_t index_ = 0;
  std::string current_;
};

}  // namespace

extern "C" {

int adapt_spm_train(const char* const* sentences, const size_t* lengths, size_t n, const char* args,
                    char** model_bytes, size_t* model_size, char** error) {
  try {
    repair_standard_streams();
    MemoryIterator iterator(sentences, lengths, n);
    std::string serialized;
    const auto status = sentencepiece::SentencePieceTrainer::Train(args, &iterator, &serialized);
    if (!status.ok()) return fail(error, status.ToString());
    *model_size = serialized.size();
    *model_bytes = static_cast<char*>(std::malloc(serialized.size() ? serialized.size() : 1));
    if (*model_bytes == nullptr) return fail(error, "out of memory");
    std::memcpy(*model_bytes, serialized.data(), serialized.size());
    return 0;
  } catch (const std::exception& e) {
    return fail(error, e.what());
  }
}

int adapt_spm_load(const char* bytes, size_t size, adapt_spm_model** model, char** error) {
  try {
    repair_standard_streams();
    auto loaded = new adapt_spm_model();
    const auto status = loaded->processor.LoadFromSerializedProto(std::string(bytes, size));
    if (!status.ok()) {
      delete loaded;
      return fail(error, status.ToString());
    }
    *model = loaded;
    return 0;
  } catch (const std::exception& e) {
    return fail(error, e.what());
  }
}

void adapt_spm_free_model(adapt_spm_model* model) { delete model; }

int adapt_spm_encode(const adapt_spm_model* model, const char* text, size_t length, int** ids,
                     size_t* n_ids, char** error) {
  try {
    std::vector<int> out;
    const auto status = model->processor.Encode(std::string(text, length), &out);
    if (!status.ok()) return fail(error, status.ToString());
    *n_ids = out.size();
    *ids = static_cast<int*>(std::malloc((out.size() ? out.size() : 1) * sizeof(int)));
    if (*ids == nullptr) return fail(error, "out of memory");
    std::memcpy(*ids, out.data(), out.size() * sizeof(int));
    return 0;
  } catch (const std::exception& e) {
    return fail(error, e.what());
  }
}

int adapt_spm_encode_pieces(const adapt_spm_model* model, const char* text, size_t length,
                            char** pieces, size_t* size, char** error) {
  try {
    std::vector<std::string> out;
    const auto status = model->processor.Encode(std::string(text, length), &out);
    if (!status.ok()) return fail(error, status.ToString());
    std::string joined;
    for (size_t i = 0; i < out.size(); ++i) {
      if (i) joined += '\n';
      joined += out[i];
    }
    *size = joined.size();
    *pieces = copy_to_malloc(joined);
    return *pieces ? 0 : fail(error, "out of memory");
  } catch (const std::exception& e) {
    return fail(error, e.what());
  }
}

int adapt_spm_decode(const adapt_spm_model* model, const int* ids, size_t n_ids, char** text,
                     size_t* size, char** error) {
  try {
    std::string out;
    const auto status = model->processor.Decode(std::vector<int>(ids, ids + n_ids), &out);
    if (!status.ok()) return fail(error, status.ToString());
    *size = out.size();
    *text = copy_to_malloc(out);
    return *text ? 0 : fail(error, "out of memory");
  } catch (const std::exception& e) {
    return fail(error, e.what());
  }
}

int adapt_spm_vocab_size(const adapt_spm_model* model) { return model->processor.GetPieceSize(); }

int adapt_spm_piece_to_id(const adapt_spm_model* model, const char* piece) {
  const int id = model->processor.PieceToId(piece);
  // PieceToId answers unk_id for unknown pieces; tell them apart from the real unknown piece.
  if (id == model->processor.unk_id() && model->processor.IdToPiece(id) != piece) return -1;
  return id;
}

const char* adapt_spm_id_to_piece(const adapt_spm_model* model, int id) {
  if (id < 0 || id >= model->processor.GetPieceSize()) return nullptr;
  return model->processor.IdToPiece(id).c_str();
}

int adapt_spm_special_id(const adapt_spm_model* model, int which) {
  switch (which) {
    case 0: return model->processor.unk_id();
    case 1: return model->processor.bos_id();
    case 2: return model->processor.eos_id();
    case 3: return model->processor.pad_id();
    default: return -1;
  }
}

void adapt_spm_free_buffer(void* buffer) { std::free(buffer); }

}  // extern "C"
