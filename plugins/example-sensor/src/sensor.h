#pragma once
// The sensor plugin's components: multichannel time series (one CSV file per series, one column per
// channel) classified from fixed-length windows.
#include <adapt/plugin/registry.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sensor {

using adapt::json;

// One series: samples[t][c]. Throws adapt::DataError naming file, line and column for bad values.
struct Series {
  std::vector<std::string> channels;
  std::vector<std::vector<float>> samples;
};
Series read_series(const std::filesystem::path& file);
// `channels` empty: every column of the file; otherwise these columns, in this order.
torch::Tensor series_tensor(const Series& series, const std::vector<std::string>& channels,
                            const std::filesystem::path& file);  // [channels, time]

void register_reader(adapt::Registry& registry);
void register_block(adapt::Registry& registry);
void register_model(adapt::Registry& registry);
void register_transform(adapt::Registry& registry);
void register_baseline(adapt::Registry& registry);
void register_demo(adapt::Registry& registry);

}  // namespace sensor
