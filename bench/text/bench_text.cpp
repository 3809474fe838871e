// bench_text: text plugin throughput, side by side with the PyTorch peer.
//   bench_text SMS_FILE OUT_DIR [EPOCHS]
// 1. Tokenization: encode every message with 1, 2 and 4 threads (texts/s).
// 2. Writes the token ids and labels to OUT_DIR/ids.tsv for peers/bilstm_peer.py.
// 3. Trains the same BiLSTM classifier (text.awd_lstm_classifier, bidirectional, dropouts off) with
//    AdamW, batch 32, and reports training samples/s.
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <numeric>
#include <random>
#include <thread>

#include "adapt/common/memory.h"
#include "adapt/data/data_blocks.h"
#include "adapt/plugin/plugin_host.h"
#include "bench_support.h"
#include "step_profile.h"

using namespace adapt;
using bench::seconds_since;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  const auto args = bench::parse_plugin_args(argc, argv, "bench_text SMS_FILE OUT_DIR [EPOCHS]", 2);
  if (!args) return 2;
  const std::string& file = args->input;
  const int epochs = args->epochs;
  auto& registry = global_registry();
  auto reader = registry.reader(json{{"name", "text.csv"}, {"path", file}, {"delimiter", "tab"}, {"header", false},
                                     {"column_names", {"label", "text"}}, {"quoting", false}, {"drop_duplicates", true}},
                                "reader");
  const Records records = reader->read();
  auto blocks = std::make_shared<DataBlocks>(
      std::vector<BoundBlock>{{"x", registry.block(json{{"name", "text.tokens"}, {"vocab_size", 4000}}, "inputs[0]")}},
      BoundBlock{"y", registry.block(json{{"name", "core.category"}, {"column", "label"}}, "target")});
  auto t0 = Clock::now();
  blocks->setup(records);
  const double train_s = seconds_since(t0);
  fmt::print("records {}, SentencePiece training {:.2f} s, vocab {}\n", records.size(), train_s,
             blocks->input("x").dims()["vocab_size"].get<int64_t>());

  // 1. Tokenization throughput.
  const auto& block = blocks->input("x");
  const int repeats = 5;
  double one_thread = 0;
  for (int threads : {1, 2, 4}) {
    t0 = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (int r = 0; r < repeats; ++r)
          for (size_t row = static_cast<size_t>(t); row < records.size(); row += static_cast<size_t>(threads))
            block.encode(records, row, EncodeContext{Split::valid, nullptr});
      });
    for (auto& th : pool) th.join();
    const double rate = repeats * records.size() / seconds_since(t0);
    if (threads == 1) one_thread = rate;
    fmt::print("tokenize  threads {}: {:9.0f} texts/s  ({:.2f}x one thread)\n", threads, rate, rate / one_thread);
  }

  // 2. Token ids for the peer.
  std::vector<torch::Tensor> ids;
  std::vector<int64_t> labels;
  for (size_t row = 0; row < records.size(); ++row) {
    auto sample = blocks->encode(records, row, EncodeContext{Split::valid, nullptr});
    ids.push_back(sample.at("x"));
    labels.push_back(sample.at("y").item<int64_t>());
  }
  bench::write_peer_ids(args->out_dir / "ids.tsv", block.dims()["vocab_size"].get<int64_t>(), records.size(),
                        [&](size_t row) { return std::make_pair(labels[row], ids[row]); });

  // 3. Training throughput.
  torch::manual_seed(0);
  ModelContext ctx{*blocks, 2};
  auto model = registry.model(json{{"name", "text.awd_lstm_classifier"}, {"emb_size", 128}, {"hidden_size", 128},
                                   {"n_layers", 1}, {"bidirectional", true}, {"drop_mult", 0.0}, {"output_p", 0.0}},
                              "model", ctx);
  model->train();
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
  std::mt19937_64 rng(0);
  const int64_t batch_size = 32;
  auto batches = [&] {
    std::vector<size_t> order(records.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<std::vector<size_t>> out;
    for (size_t start = 0; start + batch_size <= order.size(); start += batch_size)
      out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start),
                       order.begin() + static_cast<std::ptrdiff_t>(start + batch_size));
    return out;
  };
  auto step = [&](const std::vector<size_t>& rows, bench::StepProfile& profile) {
    profile.begin_step();
    std::vector<TensorDict> items;
    std::vector<int64_t> y;
    for (size_t row : rows) {
      items.push_back({{"", ids[row]}});
      y.push_back(labels[row]);
    }
    Batch batch;
    for (auto& [key, value] : block.collate(items)) batch[key.empty() ? "x" : "x." + key] = value;
    auto target = torch::tensor(y);
    profile.phase("data");
    auto loss = torch::cross_entropy_loss(model->forward(batch), target);
    profile.phase("forward");
    return profile.finish_step(loss, optimizer);
  };
  bench::StepProfile off("", false);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const auto epoch_batches = batches();
    t0 = Clock::now();
    double loss_sum = 0;
    for (const auto& rows : epoch_batches) loss_sum += step(rows, off);
    const double seconds = seconds_since(t0);
    const auto seen = static_cast<double>(epoch_batches.size() * batch_size);
    fmt::print("train adapt  threads {} epoch {}: {:7.1f} samples/s (loss {:.4f})\n", num_threads(), epoch + 1,
               seen / seconds, loss_sum / static_cast<double>(epoch_batches.size()));
  }
  // ADAPT_BENCH_PROFILE: one more pass, after the timed epochs, profiles the steps.
  bench::StepProfile profile("train adapt, batch 32");
  if (profile.enabled()) {
    const auto more = batches();
    for (size_t b = 0; b < more.size() && b < size_t(profile.steps_in_all()); ++b) step(more[b], profile);
  }
  return 0;
}
