// The text plugin's components, created by name from the real plugin (loaded by the plugin host),
// with known answers: tokenizer blocks, readers, augmentations, models and the TF-IDF baseline.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <thread>

#include "adapt/baseline/baseline.h"
#include "adapt/common/error.h"
#include "adapt/data/data_blocks.h"
#include "text_test_support.h"

namespace adapt::text {
namespace {

using testing::expect_message;
using testing::text_registry;

Records sample_records() {
  Records r({"text", "label"}, "memory");
  const char* texts[] = {"Free entry! Win a PRIZE now, text WIN to 80086", "Are we meeting for lunch today?",
                         "URGENT: your mobile number has won 2000 pounds", "Ok see you at home later",
                         "Call now to claim your free holiday prize", "I will be late, traffic is bad",
                         "Congratulations you won a free ticket, reply YES", "Can you pick up milk please"};
  for (size_t i = 0; i < 8; ++i) r.add_row({texts[i], i % 2 == 0 ? "spam" : "ham"}, "memory:" + std::to_string(i + 1));
  return r;
}

std::shared_ptr<Block> tokens_block(json options = json::object()) {
  options["name"] = "text.tokens";
  if (!options.contains("vocab_size")) options["vocab_size"] = 80;
  return text_registry().block(options, "inputs[0]");
}

std::vector<int64_t> ids_of(const Block& block, const Records& r, size_t row) {
  auto t = block.encode(r, row, EncodeContext{Split::valid, nullptr}).at("");
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

TEST(TextPlugin, LoadsThroughTheHostWithEveryComponent) {
  auto& registry = text_registry();
  for (const char* name : {"text.tokens", "text.lm"}) EXPECT_TRUE(registry.has(Kind::block, name)) << name;
  for (const char* name : {"text.csv", "text.folder", "text.corpus"}) EXPECT_TRUE(registry.has(Kind::reader, name));
  for (const char* name : {"text.awd_lstm_classifier", "text.awd_lstm_lm", "text.transformer_classifier"})
    EXPECT_TRUE(registry.has(Kind::model, name)) << name;
  for (const char* name : {"text.token_dropout", "text.span_deletion", "text.local_shuffle", "text.random_crop"})
    EXPECT_TRUE(registry.has(Kind::transform, name)) << name;
  EXPECT_TRUE(registry.has(Kind::baseline, "text.tfidf_logistic"));
  EXPECT_TRUE(registry.has(Kind::demo, "text.demo"));
  EXPECT_EQ(registry.info(Kind::block, "text.tokens").plugin, "text");
}

TEST(TextTokens, TrainsSentencePieceInsideTheShimAndEncodes) {
  // SentencePiece runs in this LibTorch process through the RTLD_DEEPBIND shim: no protobuf clash.
  auto records = sample_records();
  for (const char* type : {"unigram", "bpe"}) {
    auto block = tokens_block({{"model_type", type}});
    block->setup(records);
    const auto dims = block->dims();
    EXPECT_EQ(dims["pad_id"], 3);
    EXPECT_EQ(dims["bos_id"], 1);
    EXPECT_GT(dims["vocab_size"].get<int64_t>(), 20) << type;
    EXPECT_LE(dims["vocab_size"].get<int64_t>(), 80) << type;
    const auto ids = ids_of(*block, records, 0);
    ASSERT_GE(ids.size(), 5u);
    EXPECT_EQ(ids[0], 1) << "every text starts with bos";
    for (auto id : ids) EXPECT_TRUE(id >= 0 && id < dims["vocab_size"].get<int64_t>());
    EXPECT_EQ(block->length(records, 0), static_cast<int64_t>(ids.size()));
  }
}

TEST(TextTokens, StateRoundTripsAndEncodesIdentically) {
  auto records = sample_records();
  auto block = tokens_block();
  block->setup(records);
  const json state = block->state();
  ASSERT_TRUE(state.at("sentencepiece").is_binary());
  // Through a serialised export format (binary survives CBOR, as in the .adapt file).
  const json reloaded = json::from_cbor(json::to_cbor(state));
  auto fresh = tokens_block();
  fresh->load_state(reloaded);
  for (size_t row = 0; row < records.size(); ++row) EXPECT_EQ(ids_of(*fresh, records, row), ids_of(*block, records, row));
  EXPECT_EQ(fresh->dims(), block->dims());
}

TEST(TextTokens, EncodeIsThreadSafe) {
  auto records = sample_records();
  auto block = tokens_block();
  block->setup(records);
  std::vector<std::vector<int64_t>> expected;
  for (size_t row = 0; row < records.size(); ++row) expected.push_back(ids_of(*block, records, row));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int rep = 0; rep < 50; ++rep)
        for (size_t row = 0; row < records.size(); ++row)
          if (ids_of(*block, records, row) != expected[row]) ++mismatches;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(TextTokens, CollatePadsWithMaskAndLengths) {
  auto records = sample_records();
  auto block = tokens_block();
  block->setup(records);
  std::vector<TensorDict> items{block->encode(records, 0, {}), block->encode(records, 3, {})};
  const int64_t a = items[0].at("").size(0), b = items[1].at("").size(0);
  auto batch = block->collate(items);
  const int64_t longest = std::max(a, b);
  EXPECT_EQ(batch.at("").sizes(), torch::IntArrayRef({2, longest}));
  EXPECT_EQ(batch.at("lengths")[0].item<int64_t>(), a);
  EXPECT_EQ(batch.at("lengths")[1].item<int64_t>(), b);
  EXPECT_EQ(batch.at("mask").sum().item<int64_t>(), a + b);
  const int64_t shorter = a < b ? 0 : 1;
  EXPECT_EQ(batch.at("")[shorter][longest - 1].item<int64_t>(), 3) << "padded with pad_id";
}

TEST(TextTokens, SpecialTokensStayWhole) {
  auto records = sample_records();
  records.add_row({"visit xxurl for the xxurl offer", "spam"}, "memory:9");
  auto plain = tokens_block();
  plain->setup(records);
  auto special = tokens_block({{"special_tokens", {"xxurl"}}});
  special->setup(records);
  Records probe({"text", "label"}, "probe");
  probe.add_row({"xxurl", "spam"});
  EXPECT_LE(ids_of(*special, probe, 0).size(), 3u);  // bos, maybe the word boundary, xxurl
  EXPECT_GT(ids_of(*plain, probe, 0).size(), ids_of(*special, probe, 0).size());
}

TEST(TextTokens, TruncatesLongTextsAtTheDocumentedCap) {
  auto records = sample_records();
  std::string long_text;
  for (int i = 0; i < 2000; ++i) long_text += "free prize now ";
  records.add_row({long_text, "spam"}, "memory:long");
  auto block = tokens_block({{"max_tokens", 32}});
  block->setup(records);
  EXPECT_EQ(ids_of(*block, records, records.size() - 1).size(), 32u);
}

TEST(TextTokens, BadInputGivesActionableErrors) {
  auto records = sample_records();
  auto block = tokens_block();
  block->setup(records);
  Records bad({"text", "label"}, "bad.tsv");
  bad.add_row({"   ", "ham"}, "bad.tsv:2");
  bad.add_row({"caf\xE9", "ham"}, "bad.tsv:3");
  try {
    block->encode(bad, 0, {});
    FAIL() << "an empty text must be an error";
  } catch (const DataError& e) {
    expect_message(e.what(), {"text.tokens", "bad.tsv:2", "empty", "on_empty"});
  }
  try {
    block->encode(bad, 1, {});
    FAIL() << "invalid UTF-8 must be an error";
  } catch (const DataError& e) {
    expect_message(e.what(), {"bad.tsv:3", "invalid UTF-8", "0xE9", "invalid_utf8"});
  }
  auto lenient = tokens_block({{"on_empty", "keep"}, {"invalid_utf8", "replace"}});
  lenient->setup(records);
  EXPECT_EQ(ids_of(*lenient, bad, 0), std::vector<int64_t>{1});
  EXPECT_GE(ids_of(*lenient, bad, 1).size(), 2u);
  Records no_column({"message"}, "other.csv");
  no_column.add_row({"hello"}, "other.csv:2");
  try {
    block->encode(no_column, 0, {});
    FAIL();
  } catch (const DataError& e) {
    expect_message(e.what(), {"no text column 'text'", "message", "columns"});
  }
  try {
    text_registry().block(json{{"name", "text.tokens"}, {"vocab_size", 3}}, "inputs[0]");
    FAIL();
  } catch (const OptionError& e) {
    expect_message(e.what(), {"inputs[0].vocab_size"});
  }
}

TEST(TextLanguageModel, InputAndTargetAreTheSameWindowShiftedByOne) {
  Records r({"text"}, "corpus");
  r.add_row({"the cat sat on the mat and the dog sat on the log"}, "c:1");
  r.add_row({"ok"}, "c:2");
  json options{{"name", "text.lm"}, {"vocab_size", 40}, {"seq_len", 8}};
  auto input = text_registry().block(options, "inputs[0]");
  options["role"] = "target";
  auto target = text_registry().block(options, "target");
  input->setup(r);
  target->setup(r);
  EXPECT_EQ(input->state(), target->state()) << "same options, same training texts: one tokenizer";
  EXPECT_EQ(target->n_outputs(), input->dims()["vocab_size"].get<int64_t>());
  Rng rng(7);
  for (auto split : {Split::valid, Split::train}) {
    EncodeContext ctx{split, &rng};
    for (size_t row = 0; row < r.size(); ++row) {
      auto x = input->encode(r, row, ctx).at("");
      auto y = target->encode(r, row, ctx).at("");
      ASSERT_EQ(x.size(0), 8);
      ASSERT_EQ(y.size(0), 8);
      for (int64_t i = 0; i + 1 < 8; ++i) {
        if (y[i].item<int64_t>() == -100) {
          EXPECT_EQ(x[i].item<int64_t>(), 3) << "no target -> padded input";
          continue;
        }
        if (y[i + 1].item<int64_t>() != -100) {
          EXPECT_EQ(x[i + 1].item<int64_t>(), y[i].item<int64_t>());
        }
      }
    }
  }
  // The short text: bos + its few tokens + eos, the rest ignored.
  auto y = target->encode(r, 1, EncodeContext{Split::valid, nullptr}).at("");
  EXPECT_EQ(y[-1].item<int64_t>(), -100);
  EXPECT_GT((y == 2).sum().item<int64_t>(), 0) << "the target ends with eos";
}

TEST(TextReaders, TsvWithoutQuotingSplitsOnTheFirstTabOnly) {
  auto dir = testing::temp_dir("readers");
  testing::write_file(dir / "sms.tsv", "ham\tsay \"hi\" to mum\nspam\tWIN\tnow\nham\tsay \"hi\" to mum\n");
  auto reader = text_registry().reader(
      json{{"name", "text.csv"}, {"path", (dir / "sms.tsv").string()}, {"delimiter", "tab"}, {"header", false},
           {"column_names", {"label", "text"}}, {"quoting", false}},
      "reader");
  auto records = reader->read();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.at(0, "text"), "say \"hi\" to mum");
  EXPECT_EQ(records.at(1, "text"), "WIN\tnow");
  EXPECT_EQ(records.origin(1), (dir / "sms.tsv").string() + ":2");
  auto dedup = text_registry().reader(
      json{{"name", "text.csv"}, {"path", (dir / "sms.tsv").string()}, {"delimiter", "tab"}, {"header", false},
           {"column_names", {"label", "text"}}, {"quoting", false}, {"drop_duplicates", true}},
      "reader");
  EXPECT_EQ(dedup->read().size(), 2u);
}

TEST(TextReaders, QuotedCsvWithSeveralTextColumns) {
  auto dir = testing::temp_dir("csv");
  testing::write_file(dir / "reviews.csv", "title,body,label\n\"Great, really\",\"line one\nline two\",pos\nBad,meh,neg\n");
  auto reader = text_registry().reader(
      json{{"name", "text.csv"}, {"path", (dir / "reviews.csv").string()}, {"text_columns", {"title", "body"}}}, "reader");
  auto records = reader->read();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at(0, "title"), "Great, really");
  EXPECT_EQ(records.at(0, "body"), "line one\nline two");
  auto block = text_registry().block(
      json{{"name", "text.tokens"}, {"columns", {"title", "body"}}, {"vocab_size", 40}}, "inputs[0]");
  block->setup(records);
  EXPECT_EQ(block->columns(), (std::vector<std::string>{"title", "body"}));
  EXPECT_GT(block->length(records, 0), 4);
}

TEST(TextReaders, BadFilesNameFileLineAndFix) {
  auto dir = testing::temp_dir("badcsv");
  testing::write_file(dir / "a.csv", "text,category\nhello,x\n");
  try {
    text_registry().reader(json{{"name", "text.csv"}, {"path", (dir / "a.csv").string()}}, "reader")->read();
    FAIL();
  } catch (const DataError& e) {
    expect_message(e.what(), {"a.csv", "no column 'label'", "label_column", "text, category"});
  }
  testing::write_file(dir / "b.csv", "text,label\nfine,x\ncaf\xE9,y\n");
  try {
    text_registry().reader(json{{"name", "text.csv"}, {"path", (dir / "b.csv").string()}}, "reader")->read();
    FAIL();
  } catch (const DataError& e) {
    expect_message(e.what(), {"b.csv:3", "column 'text'", "invalid UTF-8", "iconv"});
  }
  auto replaced = text_registry()
                      .reader(json{{"name", "text.csv"}, {"path", (dir / "b.csv").string()}, {"invalid_utf8", "replace"}},
                              "reader")
                      ->read();
  EXPECT_EQ(replaced.at(1, "text"), "caf\xEF\xBF\xBD");
  testing::write_file(dir / "c.csv", "text,label\nonly one field\n");
  try {
    text_registry().reader(json{{"name", "text.csv"}, {"path", (dir / "c.csv").string()}}, "reader")->read();
    FAIL();
  } catch (const DataError& e) {
    expect_message(e.what(), {"c.csv:2"});
  }
}

TEST(TextReaders, FolderPerClassAndCorpusChunks) {
  auto dir = testing::temp_dir("folder");
  testing::write_file(dir / "pos" / "a.txt", "lovely");
  testing::write_file(dir / "pos" / "b.txt", "great");
  testing::write_file(dir / "neg" / "c.txt", "awful");
  testing::write_file(dir / "neg" / "skip.md", "not read");
  auto records = text_registry().reader(json{{"name", "text.folder"}, {"path", dir.string()}}, "reader")->read();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.at(0, "label"), "neg");
  EXPECT_EQ(records.at(0, "text"), "awful");
  EXPECT_EQ(records.at(2, "text"), "great");

  testing::write_file(dir / "corpus.txt", "one two three\nfour five\n\nsix seven eight nine\nten\n");
  auto corpus = text_registry()
                    .reader(json{{"name", "text.corpus"}, {"path", (dir / "corpus.txt").string()}, {"chunk_chars", 22}},
                            "reader")
                    ->read();
  ASSERT_EQ(corpus.size(), 2u);
  EXPECT_EQ(corpus.at(0, "text"), "one two three\nfour five");
  EXPECT_EQ(corpus.at(1, "text"), "six seven eight nine\nten");
  EXPECT_EQ(corpus.origin(1), (dir / "corpus.txt").string() + ":4");
}

// A fitted DataBlocks with text.tokens at "x" and a category target at "y".
std::shared_ptr<DataBlocks> fitted_blocks(const Records& records) {
  auto blocks = std::make_shared<DataBlocks>(
      std::vector<BoundBlock>{{"x", tokens_block()}},
      BoundBlock{"y", text_registry().block(json{{"name", "core.category"}, {"column", "label"}}, "target")});
  blocks->setup(records);
  return blocks;
}

TEST(TextAugmentations, KnownEffectsOnTokenIds) {
  auto records = sample_records();
  auto blocks = fitted_blocks(records);
  const auto ids = torch::arange(10, 30, torch::kLong);  // 20 "tokens"
  Rng rng(3);
  auto run = [&](json spec) {
    auto t = text_registry().transform(spec, "transforms[0]");
    t->setup(*blocks);
    EXPECT_FALSE(t->on_valid()) << spec.dump();
    TensorDict item{{"x", ids.clone()}};
    item["x"][0] = 1;  // bos
    t->apply(item, rng);
    return item.at("x");
  };
  auto dropped = run({{"name", "text.token_dropout"}, {"rate", 1.0}});
  EXPECT_EQ(dropped[0].item<int64_t>(), 1) << "bos is kept";
  EXPECT_TRUE(dropped.slice(0, 1).eq(0).all().item<bool>()) << "every other token became unk";
  auto masked = run({{"name", "text.token_dropout"}, {"rate", 1.0}, {"replace", "mask"}});
  EXPECT_TRUE(masked.slice(0, 1).eq(blocks->input("x").dims()["mask_id"].get<int64_t>()).all().item<bool>());
  auto shortened = run({{"name", "text.span_deletion"}, {"max_fraction", 0.5}});
  EXPECT_LT(shortened.size(0), 20);
  EXPECT_GE(shortened.size(0), 10);
  auto shuffled = run({{"name", "text.local_shuffle"}, {"window", 4}});
  EXPECT_EQ(std::get<0>(shuffled.sort()).slice(0, 1).equal(torch::arange(11, 30, torch::kLong)), true);
  for (int64_t start = 1; start < 20; start += 4) {  // tokens stay in their window
    auto window = shuffled.slice(0, start, std::min<int64_t>(20, start + 4));
    EXPECT_GE(window.min().item<int64_t>(), 10 + start);
    EXPECT_LT(window.max().item<int64_t>(), 10 + start + 4);
  }
  auto cropped = run({{"name", "text.random_crop"}, {"max_tokens", 6}});
  ASSERT_EQ(cropped.size(0), 6);
  EXPECT_EQ(cropped[0].item<int64_t>(), 1);
  EXPECT_EQ((cropped[5] - cropped[1]).item<int64_t>(), 4) << "a contiguous window";
}

Batch batch_of(const Block& block, const Records& r, std::vector<size_t> rows) {
  std::vector<TensorDict> items;
  for (auto row : rows) items.push_back(block.encode(r, row, {}));
  Batch batch;
  for (auto& [k, v] : block.collate(items)) batch[k.empty() ? "x" : "x." + k] = v;
  return batch;
}

TEST(TextModels, ClassifiersIgnorePaddingAndShareTheEncoderWithTheLanguageModel) {
  torch::manual_seed(0);
  auto records = sample_records();
  auto blocks = fitted_blocks(records);
  const auto& block = blocks->input("x");
  ModelContext ctx{*blocks, 2};
  const json small{{"emb_size", 16}, {"hidden_size", 24}, {"n_layers", 2}};
  for (json spec : {json{{"name", "text.awd_lstm_classifier"}}, json{{"name", "text.awd_lstm_classifier"}, {"bidirectional", true}},
                    json{{"name", "text.transformer_classifier"}, {"d_model", 16}, {"n_heads", 2}, {"ff_size", 32}}}) {
    if (spec["name"] != "text.transformer_classifier") spec.update(small);
    auto model = text_registry().model(spec, "model", ctx);
    model->eval();
    torch::NoGradGuard no_grad;
    auto together = model->forward(batch_of(block, records, {0, 1}));  // row 1 is padded to row 0's length
    auto alone = model->forward(batch_of(block, records, {1}));
    ASSERT_EQ(together.sizes(), torch::IntArrayRef({2, 2})) << spec.dump();
    EXPECT_TRUE(torch::allclose(together[1], alone[0], 1e-4, 1e-5)) << spec.dump() << together << alone;
    EXPECT_GE(model->layer_groups().size(), 3u);
  }
  json classifier_spec = small, lm_spec = small;
  classifier_spec["name"] = "text.awd_lstm_classifier";
  lm_spec["name"] = "text.awd_lstm_lm";
  auto classifier = text_registry().model(classifier_spec, "model", ctx);
  ModelContext lm_ctx{*blocks, block.dims()["vocab_size"].get<int64_t>()};
  auto lm = text_registry().model(lm_spec, "model", lm_ctx);
  auto a = classifier->part("encoder"), b = lm->part("encoder");
  ASSERT_TRUE(a && b);
  auto pa = a->named_parameters(), pb = b->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& p : pa) EXPECT_EQ(pb[p.key()].sizes(), p.value().sizes()) << p.key();
  EXPECT_EQ(classifier->layer_groups().size(), 4u);  // embedding, 2 LSTM layers, head
  auto out = lm->forward(batch_of(block, records, {0, 1}));
  EXPECT_EQ(out.size(2), lm_ctx.n_outputs);
  EXPECT_EQ(out.size(0), 2);
}

TEST(TextBaseline, TfidfLogisticSeparatesVocabulary) {
  Records r({"text", "label"}, "memory");
  const char* spam[] = {"win free prize now", "free cash prize claim", "claim your free prize", "win cash now"};
  const char* ham[] = {"see you at lunch", "lunch at home later", "see you later at home", "home for lunch"};
  for (int i = 0; i < 4; ++i) {
    r.add_row({spam[i], "spam"});
    r.add_row({ham[i], "ham"});
  }
  r.add_row({"free prize for you", "spam"});
  r.add_row({"lunch later", "ham"});
  SplitIndices split;
  for (size_t i = 0; i < 8; ++i) split.train.push_back(i);
  split.valid = {8, 9};
  DataBlocks blocks(std::vector<BoundBlock>{BoundBlock{"x", tokens_block({{"vocab_size", 30}})}},
                    BoundBlock{"y", text_registry().block(json{{"name", "core.category"}, {"column", "label"}}, "target")});
  blocks.setup(r.subset(split.train));
  auto baseline = text_registry().baseline(json{{"name", "text.tfidf_logistic"}}, "baselines[0]");
  BaselineContext ctx{r, split, blocks};
  baseline->fit(ctx);
  auto out = baseline->predict(ctx, split.valid);
  ASSERT_EQ(out.sizes(), torch::IntArrayRef({2, 2}));
  EXPECT_TRUE(torch::allclose(out.exp().sum(1), torch::ones({2}), 1e-4, 1e-4)) << "log-probabilities";
  const auto classes = blocks.target().block->classes();  // sorted: ham, spam
  EXPECT_EQ(classes[static_cast<size_t>(out[0].argmax().item<int64_t>())], "spam");
  EXPECT_EQ(classes[static_cast<size_t>(out[1].argmax().item<int64_t>())], "ham");
}

}  // namespace
}  // namespace adapt::text
