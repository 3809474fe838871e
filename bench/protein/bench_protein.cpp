// bench_protein: protein plugin training throughput, side by side with the PyTorch peer.
//   bench_protein AMP_DIR OUT_DIR [EPOCHS]
// 1. Reads the AMP Scanner v2 training files with protein.fasta and writes the protein.sequence ids
//    and labels to OUT_DIR/ids.tsv for peers/cnn_peer.py.
// 2. Trains protein.cnn (the real-data test's configuration: emb 64, 128 channels, kernel 9,
//    dilations 1/2/4, max+mean pooling, dropout 0.3) with AdamW, batch 32: training samples/s.
// 3. Masked-LM pretraining (protein.mlm + protein.transformer_mlm, d_model 128, 4 layers): tokens/s.
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <numeric>
#include <random>

#include "adapt/common/memory.h"
#include "adapt/data/data_blocks.h"
#include "adapt/data/sampler.h"
#include "adapt/plugin/plugin_host.h"
#include "bench_support.h"
#include "step_profile.h"

using namespace adapt;
using bench::seconds_since;
using Clock = std::chrono::steady_clock;

namespace {

struct Data {
  std::vector<TensorDict> x, y;
};

Data encode_all(const DataBlocks& blocks, const Records& records, Split split, Rng* rng) {
  Data d;
  for (size_t row = 0; row < records.size(); ++row) {
    EncodeContext ctx{split, rng};
    d.x.push_back(blocks.inputs()[0].block->encode(records, row, ctx));
    d.y.push_back(blocks.target().block->encode(records, row, ctx));
  }
  return d;
}

Batch make_batch(const DataBlocks& blocks, const Data& d, const std::vector<size_t>& order, size_t start, size_t n) {
  std::vector<TensorDict> xs, ys;
  for (size_t k = start; k < start + n; ++k) {
    xs.push_back(d.x[order[k]]);
    ys.push_back(d.y[order[k]]);
  }
  Batch batch;
  for (auto& [key, value] : blocks.inputs()[0].block->collate(xs)) batch[key.empty() ? "x" : "x." + key] = value;
  batch["y"] = blocks.target().block->collate(ys).at("");
  return batch;
}

}  // namespace

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  const auto args = bench::parse_plugin_args(argc, argv, "bench_protein AMP_DIR OUT_DIR [EPOCHS] [SAMPLER: random|bucket]", 3);
  if (!args) return 2;
  if (args->sampler != "random" && args->sampler != "bucket") {
    fmt::print(stderr, "bench_protein: SAMPLER must be random or bucket, got {}\n", args->sampler);
    return 2;
  }
  const std::string& amp = args->input;
  const int epochs = args->epochs;
  auto& registry = global_registry();
  auto reader = registry.reader(json{{"name", "protein.fasta"}, {"path", amp}, {"file_pattern", "\\.tr\\.fa$"},
                                     {"label_from", "file"}},
                                "reader");
  const Records records = reader->read();
  fmt::print("records {} (AMP Scanner v2 training files), threads {}\n", records.size(), num_threads());
  const int64_t batch_size = 32;

  // 1 + 2. CNN classifier.
  {
    auto blocks = std::make_shared<DataBlocks>(
        std::vector<BoundBlock>{{"x", registry.block(json{{"name", "protein.sequence"}, {"max_len", 200}}, "x")}},
        BoundBlock{"y", registry.block(json{{"name", "core.category"}, {"column", "label"}}, "y")});
    blocks->setup(records);
    const Data d = encode_all(*blocks, records, Split::valid, nullptr);
    bench::write_peer_ids(args->out_dir / "ids.tsv", blocks->input("x").dims()["vocab_size"].get<int64_t>(),
                          records.size(),
                          [&](size_t row) { return std::make_pair(d.y[row].at("").item<int64_t>(), d.x[row].at("")); });
    torch::manual_seed(0);
    auto model = registry.model(json{{"name", "protein.cnn"}, {"emb_dim", 64}, {"channels", 128}, {"kernel_size", 9},
                                     {"dilations", {1, 2, 4}}, {"dropout", 0.3}},
                                "model", ModelContext{*blocks, 2});
    model->train();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
    std::mt19937_64 rng(0);
    std::vector<size_t> order(records.size());
    // SAMPLER bucket: adapt's BucketSampler (loader.sampler "bucket"): batches of similar lengths, so
    // each is padded less; random: every batch drawn at random and padded to its longest peptide.
    std::vector<int64_t> lengths;
    for (const auto& x : d.x) lengths.push_back(x.at("").size(0));
    const BucketSampler bucket(lengths);
    Rng bucket_rng(0);
    auto shuffle = [&] {
      if (args->sampler == "bucket") {
        order.clear();
        for (const auto& b : bucket.batches(bucket_rng, batch_size, true)) order.insert(order.end(), b.begin(), b.end());
        return;
      }
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
    };
    auto step = [&](size_t start, bench::StepProfile& profile) {
      profile.begin_step();
      auto batch = make_batch(*blocks, d, order, start, batch_size);
      profile.phase("data");
      auto loss = torch::cross_entropy_loss(model->forward(batch), batch.at("y"));
      profile.phase("forward");
      return profile.finish_step(loss, optimizer);
    };
    bench::StepProfile off("", false);
    for (int epoch = 0; epoch < epochs; ++epoch) {
      shuffle();
      auto t0 = Clock::now();
      int64_t seen = 0;
      double loss_sum = 0;
      for (size_t start = 0; start + batch_size <= order.size(); start += batch_size) {
        loss_sum += step(start, off);
        seen += batch_size;
      }
      const double seconds = seconds_since(t0);
      fmt::print("train adapt cnn{} threads {} epoch {}: {:7.1f} samples/s (loss {:.4f})\n",
                 args->sampler == "bucket" ? " (bucket)" : "", num_threads(), epoch + 1,
                 seen / seconds, loss_sum / (seen / batch_size));
    }
    // ADAPT_BENCH_PROFILE: one more pass, after the timed epochs, profiles the steps.
    bench::StepProfile profile("train adapt cnn, batch 32");
    if (profile.enabled()) {  // as many passes as its steps need (AMP's training part has 44 batches)
      const int per_pass = static_cast<int>(order.size() / static_cast<size_t>(batch_size));
      for (int b = 0; b < profile.steps_in_all(); ++b) {
        if (b % per_pass == 0) shuffle();
        step(static_cast<size_t>(b % per_pass) * batch_size, profile);
      }
    }
  }

  // 3. Masked-LM pretraining throughput (fresh masks every epoch, as the loader would give).
  {
    auto blocks = std::make_shared<DataBlocks>(
        std::vector<BoundBlock>{{"x", registry.block(json{{"name", "protein.mlm"}, {"max_len", 200}}, "x")}},
        BoundBlock{"y", registry.block(json{{"name", "protein.mlm"}, {"max_len", 200}, {"role", "target"}}, "y")});
    blocks->setup(records);
    torch::manual_seed(0);
    auto model = registry.model(json{{"name", "protein.transformer_mlm"}, {"d_model", 128}, {"n_heads", 4},
                                     {"n_layers", 4}, {"ff_size", 512}, {"dropout", 0.1}},
                                "model", ModelContext{*blocks, 33});
    model->train();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
    std::mt19937_64 rng(0);
    std::vector<size_t> order(records.size());
    for (int epoch = 0; epoch < epochs; ++epoch) {
      Rng encode_rng(static_cast<uint64_t>(epoch));
      const Data d = encode_all(*blocks, records, Split::train, &encode_rng);
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      auto t0 = Clock::now();
      int64_t tokens = 0, seqs = 0;
      double loss_sum = 0;
      int batches = 0;
      for (size_t start = 0; start + batch_size <= order.size(); start += batch_size) {
        auto batch = make_batch(*blocks, d, order, start, batch_size);
        auto out = model->forward(batch);
        auto loss = torch::nn::functional::cross_entropy(
            out.reshape({-1, out.size(-1)}), batch.at("y").reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        loss_sum += loss.item<double>();
        tokens += batch.at("x.mask").sum().item<int64_t>();
        seqs += batch_size;
        ++batches;
      }
      const double seconds = seconds_since(t0);
      fmt::print("mlm   adapt transformer threads {} epoch {}: {:8.0f} tokens/s, {:6.1f} sequences/s (loss {:.4f})\n",
                 num_threads(), epoch + 1, tokens / seconds, seqs / seconds, loss_sum / batches);
    }
  }
  return 0;
}
