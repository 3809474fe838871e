#pragma once
// The SentencePiece shim's C API. The shim links ONLY libsentencepiece: Debian's build bundles its own
// protobuf, which collides with LibTorch's in one process (see DESIGN.md), so the plugin opens the shim
// with RTLD_DEEPBIND and talks to it through these protobuf-free, exception-free functions.
//
// Memory: every buffer or model the shim returns is released with the matching adapt_spm_free_*.
// Errors: functions return 0 on success; on failure they return non-zero and set *error to a message
// (free it with adapt_spm_free_buffer).
#include <stddef.h>

#define ADAPT_SPM_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

typedef struct adapt_spm_model adapt_spm_model;

// Trains a model on `n` sentences. `args` uses SentencePiece's flag syntax
// ("--model_type=unigram --vocab_size=8000 ..."); input and model_prefix must not be given.
ADAPT_SPM_API int adapt_spm_train(const char* const* sentences, const size_t* lengths, size_t n, const char* args,
                    char** model_bytes, size_t* model_size, char** error);

// Loads a serialized model (the bytes adapt_spm_train returned).
ADAPT_SPM_API int adapt_spm_load(const char* bytes, size_t size, adapt_spm_model** model, char** error);
ADAPT_SPM_API void adapt_spm_free_model(adapt_spm_model* model);

// Encodes UTF-8 text to ids. Thread-safe for one model used from many threads.
ADAPT_SPM_API int adapt_spm_encode(const adapt_spm_model* model, const char* text, size_t length, int** ids,
                     size_t* n_ids, char** error);
// Encodes to pieces, joined with '\n' (pieces never contain a newline after normalisation).
ADAPT_SPM_API int adapt_spm_encode_pieces(const adapt_spm_model* model, const char* text, size_t length,
                            char** pieces, size_t* size, char** error);
ADAPT_SPM_API int adapt_spm_decode(const adapt_spm_model* model, const int* ids, size_t n_ids, char** text,
                     size_t* size, char** error);

ADAPT_SPM_API int adapt_spm_vocab_size(const adapt_spm_model* model);
// -1 when the piece is not in the vocabulary (SentencePiece itself would answer unk_id).
ADAPT_SPM_API int adapt_spm_piece_to_id(const adapt_spm_model* model, const char* piece);
// The piece of `id`, or NULL when out of range; the pointer lives as long as the model.
ADAPT_SPM_API const char* adapt_spm_id_to_piece(const adapt_spm_model* model, int id);
// Special ids: 0 unk, 1 bos, 2 eos, 3 pad; -1 when the model disables it.
ADAPT_SPM_API int adapt_spm_special_id(const adapt_spm_model* model, int which);

ADAPT_SPM_API void adapt_spm_free_buffer(void* buffer);

#ifdef __cplusplus
}
#endif
