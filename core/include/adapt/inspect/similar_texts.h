#pragma once
// Similar texts across splits (`adapt inspect`, docs/inspect.md): held-out rows whose prose shares
// most of its word pairs with a training row's (Jaccard similarity of word-bigram sets), found with
// MinHash and locality-sensitive hashing, then checked exactly. An edited copy of a training text (a
// spam template with another number, a review posted twice with a typo fixed) scores well above
// what exact or normalised matching finds.
#include <string>
#include <vector>

#include "adapt/data/records.h"

namespace adapt {

struct SimilarTextOptions {
  double threshold = 0.7;   // Jaccard similarity of word-bigram sets at or above which rows are similar
  int bands = 20;           // LSH: bands x rows_per_band MinHash values per row
  int rows_per_band = 5;
  double min_words = 4.0;   // a column is prose when its values have at least this many words (separated
                            // by spaces) on average
};

struct SimilarText {
  size_t row = 0, train_row = 0;  // indices into the records
  double similarity = 0;
};

// The columns among `columns` that hold prose over `rows` (file paths, ids, categories and numbers
// are one spaced word per value and are left to exact matching).
ADAPT_API std::vector<std::string> prose_columns(const Records& records, const std::vector<size_t>& rows,
                                                 const std::vector<std::string>& columns,
                                                 const SimilarTextOptions& options = {});
// For each row of `held_out` whose prose columns (joined) are similar to a training row's: the most
// similar one. Rows with no bigram (one word or none) are skipped.
ADAPT_API std::vector<SimilarText> similar_to_train(const Records& records, const std::vector<size_t>& train,
                                                    const std::vector<size_t>& held_out,
                                                    const std::vector<std::string>& columns,
                                                    const SimilarTextOptions& options = {});

}  // namespace adapt
