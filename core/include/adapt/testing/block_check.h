#pragma once
// check_block: the Block contract of docs/writing-a-plugin.md, on rows the author supplies.
//  - setup() learns from the training rows only: a fresh instance set up on the training rows learns
//    the same state and encodes the same tensors, even after another instance saw more rows (state
//    shared between instances leaks validation rows), and encoding rows learns nothing more;
//  - state() -> load_state() on a fresh block (through the CBOR an export stores) gives the same
//    state, dims, target role and bit-identical encodings of training and other rows;
//  - encode() is deterministic off the train split and on it depends on ctx.rng alone, is random
//    only when random_on_train() says so, and is thread-safe: threads racing over the same rows (as
//    the loader's workers do) produce the sequential results;
//  - collate() stacks N items into N rows, and encode_batch(), where offered, gives exactly that; a
//    target block has a loss, n_outputs() >= 1 and a class list of that length (or none), and its
//    decode_batch() gives decode() of each row;
//  - unseen_batch() gives unseen() of each row.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapt/plugin/registry.h"
#include "adapt/recipe/recipe.h"
#include "adapt/testing/check_settings.h"
#include "adapt/testing/compare.h"
#include "adapt/testing/records_util.h"

namespace adapt::testing {

namespace detail {

// Every row encoded on `split` by a Block (-> TensorDicts) or DataBlocks (-> Samples), row r with its
// own stream Rng(seed).derive(r): reproducible whatever the order or thread, like the loader's streams.
template <typename Encoder>
auto encode_rows(const Encoder& encoder, const Records& records, Split split, uint64_t seed) {
  std::vector<decltype(encoder.encode(records, 0, std::declval<const EncodeContext&>()))> out;
  out.reserve(records.size());
  for (size_t row = 0; row < records.size(); ++row) {
    Rng rng = Rng(seed).derive(row);
    EncodeContext ctx;
    ctx.split = split;
    ctx.rng = &rng;
    out.push_back(encoder.encode(records, row, ctx));
  }
  return out;
}

struct BlockUnderTest {
  std::string name;
  std::function<std::shared_ptr<Block>()> make;
  const Records& train;  // what setup() sees
  const Records& other;  // rows of other splits
  Records rows;          // what the checks encode: some training rows, then some other rows
  std::vector<std::string> labels;
  std::shared_ptr<Block> block;  // set up on `train`
  json state;
  std::vector<TensorDict> valid;  // `rows` encoded on Split::valid
  const CheckOptions& options;
};

inline void check_encode_is_deterministic(const BlockUnderTest& b) {
  std::vector<TensorDict> again;
  if (!attempt(b.name, "encode() on the valid split", [&] { again = encode_rows(*b.block, b.rows, Split::valid, b.options.seed + 1); }))
    return;
  const std::string d = dicts_difference(b.valid, again, b.labels);
  EXPECT_TRUE(d.empty()) << b.name << ": encode() on the valid split gave different tensors for the same row ("
                         << d << "): only the train split may be random, and only through ctx.rng";
}

inline void check_encode_learns_nothing(const BlockUnderTest& b) {
  const std::string d = state_difference(b.state, b.block->state());
  EXPECT_TRUE(d.empty()) << b.name << ": encoding training and validation rows changed state() (" << d
                         << "): everything must be learned in setup(), from the training rows only";
}

inline void check_state_round_trip(const BlockUnderTest& b) {
  std::shared_ptr<Block> loaded;
  const json saved = json::from_cbor(json::to_cbor(b.state));  // as the export stores and reads it
  if (!attempt(b.name, "load_state() on a fresh block", [&] { loaded = b.make(); loaded->load_state(saved); })) return;
  const std::string who = b.name + ": after state() -> load_state() on a fresh block, ";
  const std::string s = state_difference(b.state, loaded->state());
  EXPECT_TRUE(s.empty()) << who << "state() differs (" << s << "): load_state() must restore everything";
  json dims_setup, dims_loaded;
  if (attempt(b.name, "dims()", [&] { dims_setup = b.block->dims(), dims_loaded = loaded->dims(); })) {
    EXPECT_EQ(dims_setup, dims_loaded) << who << "dims() differ, so a reloaded model would be sized differently";
  }
  EXPECT_EQ(b.block->loss(), loaded->loss()) << who << "loss() differs";
  if (!b.block->loss().empty()) {
    EXPECT_EQ(b.block->n_outputs(), loaded->n_outputs()) << who << "n_outputs() differs";
    EXPECT_EQ(b.block->classes(), loaded->classes()) << who << "classes() differ";
  }
  std::vector<TensorDict> again;
  if (!attempt(b.name, "encode() after load_state()", [&] { again = encode_rows(*loaded, b.rows, Split::valid, b.options.seed); }))
    return;
  const std::string d = dicts_difference(b.valid, again, b.labels);
  EXPECT_TRUE(d.empty()) << who << "encode() gives different tensors (" << d
                         << "): state() misses something setup() learned, so an export would predict differently";
}

inline void check_setup_sees_only_train(const BlockUnderTest& b) {
  std::shared_ptr<Block> wider, fresh;
  const Records more = concat(b.train, b.other);
  if (!attempt(b.name, "setup() on the training and other rows together", [&] { wider = b.make(); wider->setup(more); }))
    return;
  if (!attempt(b.name, "setup() on the training rows", [&] { fresh = b.make(); fresh->setup(b.train); })) return;
  const std::string s = state_difference(b.state, fresh->state());
  EXPECT_TRUE(s.empty()) << b.name << ": two blocks set up on the same training rows learned different states (" << s
                         << ") after another instance was set up on validation rows too: setup() must learn from the "
                            "training rows it is given only (no statics, globals, caches or clocks)";
  if (!s.empty()) return;  // the encodings differ for the same reason
  std::vector<TensorDict> again;
  if (!attempt(b.name, "encode()", [&] { again = encode_rows(*fresh, b.rows, Split::valid, b.options.seed); })) return;
  const std::string d = dicts_difference(b.valid, again, b.labels);
  EXPECT_TRUE(d.empty()) << b.name << ": two blocks set up on the same training rows encode differently (" << d
                         << "), after another instance saw validation rows: setup() must depend on the training rows "
                            "only";
}

inline void check_train_randomness(const BlockUnderTest& b) {
  const Records train_rows = first_rows(b.train, b.options.max_rows);
  const auto labels = row_labels(train_rows);
  std::vector<TensorDict> first, same, other_stream;
  if (!attempt(b.name, "encode() on the train split", [&] {
        first = encode_rows(*b.block, train_rows, Split::train, b.options.seed);
        same = encode_rows(*b.block, train_rows, Split::train, b.options.seed);
        other_stream = encode_rows(*b.block, train_rows, Split::train, b.options.seed + 1);
      }))
    return;
  const std::string d = dicts_difference(first, same, labels);
  EXPECT_TRUE(d.empty()) << b.name << ": encode() on the train split gave different tensors for the same row and the "
                         << "same ctx.rng stream (" << d << "): draw randomness from ctx.rng only, so runs reproduce";
  const std::string r = dicts_difference(first, other_stream, labels);
  if (!b.block->random_on_train()) {
    EXPECT_TRUE(r.empty()) << b.name << ": encode() on the train split depends on ctx.rng (" << r
                           << ") but random_on_train() is false: the loader would encode each row once and repeat "
                              "that first draw every epoch";
  }
}

// Threads race over the same rows in different orders, on the valid and the train split, and must
// reproduce the sequential results.
inline void check_thread_safety(const BlockUnderTest& b) {
  std::vector<TensorDict> train_reference;
  if (!attempt(b.name, "encode() on the train split",
               [&] { train_reference = encode_rows(*b.block, b.rows, Split::train, b.options.seed); }))
    return;
  const size_t n = b.rows.size(), n_threads = std::max<size_t>(2, b.options.threads);
  for (size_t round = 0; round < b.options.rounds; ++round) {
    std::vector<std::vector<TensorDict>> valid(n_threads, std::vector<TensorDict>(n)), train = valid;
    std::vector<std::string> errors(n_threads);
    std::atomic<size_t> ready{0};
    std::vector<std::thread> threads;
    for (size_t t = 0; t < n_threads; ++t) {
      threads.emplace_back([&, t] {
        ++ready;
        while (ready.load() < n_threads) std::this_thread::yield();  // start together
        try {
          for (size_t k = 0; k < n; ++k) {
            const size_t row = (k + t * (n / n_threads + 1) + round) % n;  // each thread its own order
            for (Split split : {Split::valid, Split::train}) {
              Rng rng = Rng(b.options.seed).derive(row);
              EncodeContext ctx;
              ctx.split = split;
              ctx.rng = &rng;
              (split == Split::valid ? valid : train)[t][row] = b.block->encode(b.rows, row, ctx);
            }
          }
        } catch (const std::exception& e) {
          errors[t] = e.what();
        }
      });
    }
    for (auto& thread : threads) thread.join();
    for (size_t t = 0; t < n_threads; ++t) {
      EXPECT_TRUE(errors[t].empty()) << b.name << ": encode() threw in one of " << n_threads
                                     << " concurrent threads (but not alone): " << errors[t];
      const std::string v = dicts_difference(b.valid, valid[t], b.labels);
      const std::string r = dicts_difference(train_reference, train[t], b.labels);
      if (!v.empty() || !r.empty()) {
        ADD_FAILURE() << b.name << ": encode() is not thread-safe: " << n_threads
                      << " threads encoding the same rows (as the loader's workers do) gave other tensors than one "
                         "thread ("
                      << (v.empty() ? "train split, " + r : "valid split, " + v)
                      << "); encode() is const: guard or avoid mutable members";
        return;
      }
    }
  }
}

inline void check_collate(const BlockUnderTest& b) {
  TensorDict batch;
  if (!attempt(b.name, "collate() of the encoded rows", [&] { batch = b.block->collate(b.valid); })) return;
  EXPECT_FALSE(batch.empty()) << b.name << ": collate() returned no tensors";
  for (const auto& [key, tensor] : batch) {
    if (!tensor.defined()) continue;
    EXPECT_TRUE(tensor.dim() >= 1 && tensor.size(0) == static_cast<int64_t>(b.valid.size()))
        << b.name << ": collate() of " << b.valid.size() << " items gave \"" << key << "\" of shape "
        << shape_text(tensor) << "; the first dimension must be the batch";
  }
  // encode_batch(), where offered, is a shortcut: it must give exactly collate() of the encode()s.
  std::optional<TensorDict> direct;
  std::vector<size_t> rows(b.rows.size());
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  Rng rng(b.options.seed);
  EncodeContext ctx;
  ctx.split = Split::valid;
  ctx.rng = &rng;
  if (!attempt(b.name, "encode_batch() on the valid split", [&] { direct = b.block->encode_batch(b.rows, rows, ctx); }) ||
      !direct)
    return;
  for (const auto& [key, tensor] : batch) {
    const auto it = direct->find(key);
    const bool same = it != direct->end() && it->second.defined() == tensor.defined() &&
                      (!tensor.defined() || (it->second.scalar_type() == tensor.scalar_type() &&
                                             it->second.sizes().equals(tensor.sizes()) && torch::equal(it->second, tensor)));
    EXPECT_TRUE(same) << b.name << ": encode_batch() gave \"" << key << "\" "
                      << (it == direct->end() ? std::string("not at all") : "as " + shape_text(it->second))
                      << " where collate() of the encode()s gives " << shape_text(tensor)
                      << " (or other values): it must return exactly what collate() does";
  }
  EXPECT_EQ(direct->size(), batch.size()) << b.name << ": encode_batch() gave other keys than collate() of the encode()s";
}

inline void check_target_role(const BlockUnderTest& b) {
  const Block& block = *b.block;
  if (block.loss().empty()) return;
  int64_t n_outputs = 0;
  if (!attempt(b.name, "n_outputs()", [&] { n_outputs = block.n_outputs(); })) return;
  EXPECT_GE(n_outputs, 1) << b.name << ": a target block (loss \"" << block.loss() << "\") needs n_outputs() >= 1";
  const auto classes = block.classes();
  EXPECT_TRUE(classes.empty() || static_cast<int64_t>(classes.size()) == n_outputs)
      << b.name << ": classes() lists " << classes.size() << " names but n_outputs() is " << n_outputs
      << "; reports label output columns by classes()";
  // decode_batch() must give decode() of each row, to the bit (prediction reads batches, reports rows).
  const int64_t n = 5;
  const torch::Tensor outputs = torch::linspace(-3.0, 3.0, n * n_outputs).reshape({n, n_outputs});
  std::vector<json> one_by_one;
  try {
    for (int64_t i = 0; i < n; ++i) one_by_one.push_back(block.decode(outputs[i]));
  } catch (const std::exception&) {
    return;  // outputs of another shape (one row per token): nothing to compare here
  }
  std::vector<json> batched;
  if (!attempt(b.name, "decode_batch()", [&] { batched = block.decode_batch(outputs); })) return;
  EXPECT_EQ(json(batched), json(one_by_one))
      << b.name << ": decode_batch() differs from decode() of each row; it must give exactly what decode() does";
}

// unseen_batch() must give unseen() of each row (prediction asks the batch, a report one row).
inline void check_unseen_batch(const BlockUnderTest& b) {
  std::vector<std::string> one_by_one, batched;
  if (!attempt(b.name, "unseen()", [&] {
        for (size_t row = 0; row < b.rows.size(); ++row) one_by_one.push_back(b.block->unseen(b.rows, row));
      }))
    return;
  if (!attempt(b.name, "unseen_batch()", [&] { batched = b.block->unseen_batch(b.rows); })) return;
  EXPECT_EQ(batched, one_by_one) << b.name << ": unseen_batch() differs from unseen() of each row";
}

}  // namespace detail

// `spec` is the block's recipe entry ({"name": "myplugin.scale", ...options}). `train` is what setup()
// sees; `other` holds rows of other splits, ideally with values the training rows lack (unseen
// categories, longer texts), which must change nothing the block learned.
inline void check_block(const Registry& registry, const json& given_spec, const Records& train, const Records& other,
                        const CheckOptions& options = {}) {
  const json spec = detail::spec_object(given_spec);
  const std::string name = "block " + spec.value("name", std::string("?"));
  ASSERT_FALSE(train.empty()) << name << ": check_block needs training rows";
  detail::BlockUnderTest b{name, [&] { return registry.block(component_options(spec), name); }, train, other,
                           detail::concat(detail::first_rows(train, options.max_rows),
                                          detail::first_rows(other, options.max_rows)),
                           {}, nullptr, json(), {}, options};
  b.labels = detail::row_labels(b.rows);
  if (!detail::attempt(name, "setup() on the training rows", [&] {
        b.block = b.make();
        b.block->setup(train);
        b.state = b.block->state();
      }))
    return;
  if (!detail::attempt(name, "encode() on the valid split",
                       [&] { b.valid = detail::encode_rows(*b.block, b.rows, Split::valid, options.seed); }))
    return;
  detail::check_encode_is_deterministic(b);
  detail::check_encode_learns_nothing(b);
  detail::check_state_round_trip(b);
  detail::check_setup_sees_only_train(b);
  detail::check_train_randomness(b);
  detail::check_thread_safety(b);
  detail::check_collate(b);
  detail::check_target_role(b);
  detail::check_unseen_batch(b);
}

}  // namespace adapt::testing
