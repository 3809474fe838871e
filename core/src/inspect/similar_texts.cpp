#include "adapt/inspect/similar_texts.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <unordered_map>

#include "adapt/common/hash.h"
#include "adapt/common/rng.h"

namespace adapt {

namespace {

// Lower-cased words of letters and digits (bytes >= 0x80 count as letters: UTF-8 text stays whole).
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c >= 0x80) {
      word += static_cast<char>(std::tolower(c));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// Words as a writer spaces them: a path or an id is one however many parts it has.
size_t spaced_words(const std::string& text) {
  size_t n = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    const bool space = std::isspace(c) != 0;
    n += !space && !in_word;
    in_word = !space;
  }
  return n;
}

// The sorted, distinct hashes of a row's word bigrams over `columns`.
std::vector<uint64_t> bigrams(const Records& records, size_t row, const std::vector<size_t>& columns) {
  std::vector<std::string> words;
  for (size_t c : columns) {
    auto more = words_of(records.at(row, c));
    words.insert(words.end(), more.begin(), more.end());
  }
  std::vector<uint64_t> set;
  for (size_t i = 0; i + 1 < words.size(); ++i) set.push_back(fnv1a64_field(words[i + 1], fnv1a64_field(words[i], kFnv1aBasis)));
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  return set;
}

double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  size_t shared = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) ++shared, ++i, ++j;
    else if (a[i] < b[j]) ++i;
    else ++j;
  }
  return static_cast<double>(shared) / static_cast<double>(a.size() + b.size() - shared);
}

// One key per LSH band: the band's MinHash values hashed together.
std::vector<uint64_t> band_keys(const std::vector<uint64_t>& set, const SimilarTextOptions& o) {
  const int n = o.bands * o.rows_per_band;
  std::vector<uint64_t> minima(static_cast<size_t>(n), std::numeric_limits<uint64_t>::max());
  for (uint64_t s : set)
    for (int k = 0; k < n; ++k) minima[static_cast<size_t>(k)] = std::min(minima[static_cast<size_t>(k)], mix_seed(s, static_cast<uint64_t>(k)));
  std::vector<uint64_t> keys;
  for (int b = 0; b < o.bands; ++b) {
    uint64_t key = static_cast<uint64_t>(b);
    for (int r = 0; r < o.rows_per_band; ++r) key = mix_seed(key, minima[static_cast<size_t>(b * o.rows_per_band + r)]);
    keys.push_back(key);
  }
  return keys;
}

}  // namespace

std::vector<std::string> prose_columns(const Records& records, const std::vector<size_t>& rows,
                                       const std::vector<std::string>& columns, const SimilarTextOptions& options) {
  std::vector<std::string> prose;
  const size_t sample = std::min<size_t>(rows.size(), 2000);
  if (sample == 0) return prose;
  for (const auto& column : columns) {
    const size_t c = records.column_index(column);
    double words = 0;
    for (size_t i = 0; i < sample; ++i) words += static_cast<double>(spaced_words(records.at(rows[i * rows.size() / sample], c)));
    if (words / static_cast<double>(sample) >= options.min_words) prose.push_back(column);
  }
  return prose;
}

std::vector<SimilarText> similar_to_train(const Records& records, const std::vector<size_t>& train,
                                          const std::vector<size_t>& held_out, const std::vector<std::string>& columns,
                                          const SimilarTextOptions& options) {
  if (columns.empty() || train.empty() || held_out.empty()) return {};
  std::vector<size_t> indices;
  for (const auto& c : columns) indices.push_back(records.column_index(c));
  std::vector<std::vector<uint64_t>> train_sets(train.size());
  std::unordered_multimap<uint64_t, size_t> buckets;  // band key -> position in train
  for (size_t t = 0; t < train.size(); ++t) {
    train_sets[t] = bigrams(records, train[t], indices);
    if (train_sets[t].empty()) continue;
    for (uint64_t key : band_keys(train_sets[t], options)) buckets.emplace(key, t);
  }
  std::vector<SimilarText> found;
  for (size_t row : held_out) {
    const auto set = bigrams(records, row, indices);
    if (set.empty()) continue;
    SimilarText best{row, 0, 0.0};
    for (uint64_t key : band_keys(set, options)) {
      const auto [from, to] = buckets.equal_range(key);
      for (auto it = from; it != to; ++it) {
        const double s = jaccard(set, train_sets[it->second]);
        if (s > best.similarity) best = {row, train[it->second], s};
      }
    }
    if (best.similarity >= options.threshold) found.push_back(best);
  }
  return found;
}

}  // namespace adapt
