// `adapt embed`: one vector per input record from Model::embed, written to CSV (with the record's
// label) or to NumPy's .npy (float32, [N, D]), atomically.
#include <adapt/common/atomic_file.h>
#include <adapt/data/csv_writer.h>
#include <adapt/export/export.h>
#include <adapt/plugin/plugin_host.h>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>

#include "commands.h"
#include "table_inputs.h"

namespace adapt::cli {

namespace {

// .npy version 1.0: magic, header length, a Python dict literal padded so the data starts at a
// multiple of 64 bytes, then the raw little-endian values (x86-64 and aarch64 are little-endian).
void write_npy(const std::filesystem::path& file, const torch::Tensor& matrix) {
  torch::Tensor values = matrix.to(torch::kFloat32).contiguous();
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(values.size(0)) +
                       ", " + std::to_string(values.size(1)) + "), }";
  const size_t preamble = 10;  // magic (6) + version (2) + header length (2)
  header.append(64 - (preamble + header.size() + 1) % 64, ' ');
  header += '\n';
  write_atomically(file, [&](const std::filesystem::path& temp) {
    std::ofstream out(temp, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const uint16_t length = static_cast<uint16_t>(header.size());
    out.put(static_cast<char>(length & 0xff));
    out.put(static_cast<char>(length >> 8));
    out << header;
    out.write(static_cast<const char*>(values.data_ptr()), static_cast<std::streamsize>(values.numel() * 4));
    if (!out) throw Error("embed: could not write " + file.string() + " (disk full or no permission?)");
  });
}

void write_csv(const std::filesystem::path& file, const torch::Tensor& matrix, const std::vector<std::string>& labels) {
  torch::Tensor values = matrix.to(torch::kFloat64).contiguous();
  auto rows = values.accessor<double, 2>();
  std::ostringstream out;
  out.precision(9);
  out << "id";
  for (int64_t d = 0; d < values.size(1); ++d) out << ",e" << d;
  out << "\n";
  for (int64_t i = 0; i < values.size(0); ++i) {
    out << csv_field(labels[static_cast<size_t>(i)]);
    for (int64_t d = 0; d < values.size(1); ++d) out << "," << rows[i][d];
    out << "\n";
  }
  write_text_atomically(file, out.str());
}

// Embeddings of the inputs and the label naming each row.
struct Embedded {
  torch::Tensor vectors;  // [N, D]
  std::vector<std::string> labels;
};

// Table files (.csv, .tsv, .jsonl) are read as `adapt predict` reads them, by the model's input
// columns a chunk at a time, whatever the recipe's reader (a protein model's reads FASTA); each row
// is named file:line.
Embedded embed_tables(const Predictor& predictor, const std::vector<std::string>& files) {
  Embedded out;
  std::vector<torch::Tensor> parts;
  const std::vector<std::string> columns = predictor.input_columns();
  for (const auto& file_name : files)
    stream_table_file(file_name, columns, [&](Chunk&& chunk) {
      std::vector<size_t> rows(chunk.size());
      std::iota(rows.begin(), rows.end(), size_t(0));
      Records records = chunk.parse(rows);
      predictor.complete(records);
      parts.push_back(predictor.embeddings(records));
      for (size_t i = 0; i < records.size(); ++i) out.labels.push_back(record_label(records, *chunk.labels, i));
    });
  if (parts.empty()) throw DataError("embed: the inputs hold no rows (only headers?); nothing to embed");
  out.vectors = torch::cat(parts);
  return out;
}

// Other inputs (paths, raw values) through the recipe's reader, all at once.
Embedded embed_inputs(const Predictor& predictor, const std::vector<std::string>& inputs) {
  const Records records = predictor.read_inputs(inputs);
  Embedded out{predictor.embeddings(records), {}};
  for (size_t i = 0; i < records.size(); ++i) out.labels.push_back(record_label(records, inputs, i));
  return out;
}

}  // namespace

int embed(const Global& global, const std::filesystem::path& model_file, const std::vector<std::string>& inputs,
          const std::filesystem::path& out_file) {
  std::string extension = out_file.extension().string();
  if (extension != ".csv" && extension != ".npy")
    throw OptionError("embed: --out " + out_file.string() + " must end in .csv or .npy");
  Registry& registry = global_registry();
  report_plugin_problems();
  Predictor predictor = Predictor::load(model_file, registry);
  const Embedded embedded = all_table_files(inputs) ? embed_tables(predictor, inputs) : embed_inputs(predictor, inputs);
  const torch::Tensor& embeddings = embedded.vectors;
  const size_t n_records = embedded.labels.size();
  if (embeddings.dim() != 2 || embeddings.size(0) != static_cast<int64_t>(n_records))
    throw Error("embed: the model returned embeddings of shape " + std::to_string(embeddings.dim()) +
                "-d for " + std::to_string(n_records) + " records; Model::embed must return [N, D]");
  if (!torch::isfinite(embeddings).all().item<bool>())
    throw Error("embed: the model produced non-finite embeddings (NaN or inf); check the model file " +
                model_file.string());
  if (extension == ".npy")
    write_npy(out_file, embeddings);
  else
    write_csv(out_file, embeddings, embedded.labels);
  if (global.json_output)
    std::cout << json{{"file", out_file.string()}, {"records", n_records}, {"dims", embeddings.size(1)}}.dump(2)
              << "\n";
  else
    std::cout << "embed: " << n_records << " x " << embeddings.size(1) << " written to " << out_file.string()
              << "\n";
  return 0;
}

}  // namespace adapt::cli
