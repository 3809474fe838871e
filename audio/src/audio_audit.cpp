#include "audio_audit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "audio_file.h"

namespace adapt::audio {
namespace {

json quantiles(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))]; };
  return {{"min", v.front()}, {"p5", at(0.05)}, {"median", at(0.5)}, {"p95", at(0.95)}, {"max", v.back()}};
}

// Share of 20 ms frames quieter than -50 dBFS (RMS).
double silent_share(const std::vector<float>& wave, int64_t rate) {
  const size_t frame = std::max<size_t>(1, static_cast<size_t>(rate / 50));
  size_t frames = 0, silent = 0;
  for (size_t start = 0; start + frame <= wave.size(); start += frame, ++frames) {
    double ss = 0.0;
    for (size_t i = start; i < start + frame; ++i) ss += double(wave[i]) * double(wave[i]);
    silent += std::sqrt(ss / double(frame)) < 0.00316;  // 10^(-50/20)
  }
  return frames ? double(silent) / double(frames) : 1.0;
}

std::string fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string pct(size_t n, size_t of) { return fixed(of ? 100.0 * double(n) / double(of) : 0.0, 1) + "%"; }

}  // namespace

json audit_audio(const Records& records, const std::string& column, const std::vector<size_t>& rows,
                 double window_seconds) {
  std::vector<double> durations, silence;
  std::map<int64_t, size_t> rates;
  size_t clipped = 0, mostly_silent = 0, failed = 0, longer = 0, shorter = 0;
  std::string first_failure;
  for (size_t r : rows) {
    int64_t rate = 0;
    std::vector<float> wave;
    try {
      wave = decode_mono(records.at(r, column), rate);
    } catch (const std::exception& e) {
      if (failed++ == 0) first_failure = e.what();
      continue;
    }
    const double seconds = double(wave.size()) / double(rate);
    durations.push_back(seconds);
    ++rates[rate];
    size_t at_limit = 0;
    for (float x : wave) at_limit += std::fabs(x) >= 0.999f;
    clipped += at_limit * 1000 > wave.size();  // more than 0.1% of the samples at full scale
    const double s = silent_share(wave, rate);
    silence.push_back(s);
    mostly_silent += s > 0.9;
    longer += seconds > window_seconds * 1.05;
    shorter += seconds < window_seconds * 0.5;
  }
  json rate_counts = json::object();
  for (const auto& [rate, n] : rates) rate_counts[std::to_string(rate)] = n;
  double mean_silence = 0.0;
  for (double s : silence) mean_silence += s;
  if (!silence.empty()) mean_silence /= double(silence.size());
  json stats = {{"clips", rows.size()},          {"decoded", durations.size()}, {"failed", failed},
                {"seconds", quantiles(durations)}, {"sample_rates", rate_counts}, {"clipped", clipped},
                {"mostly_silent", mostly_silent}, {"silence_share", mean_silence}, {"longer_than_window", longer},
                {"shorter_than_half_window", shorter}};
  json warnings = json::array(), notes = json::array();
  const size_t n = rows.size();
  const std::string of_n = " of " + std::to_string(n);
  if (failed > 0) warnings.push_back(std::to_string(failed) + of_n + " files cannot be decoded; first: " + first_failure);
  if (clipped * 100 > n)
    warnings.push_back(std::to_string(clipped) + of_n + " clips are clipped (" + pct(clipped, n) +
                       " with over 0.1% of samples at full scale)");
  if (mostly_silent * 100 > n)
    warnings.push_back(std::to_string(mostly_silent) + of_n + " clips are over 90% silence (below -50 dBFS)");
  if (rates.size() > 1)
    notes.push_back(std::to_string(rates.size()) + " sample rates: " + rate_counts.dump() +
                    "; every clip is resampled to the block's rate");
  if (longer * 10 > n)
    warnings.push_back(std::to_string(longer) + of_n + " clips (" + pct(longer, n) + ") are longer than the block's " +
                       fixed(window_seconds, 2) + " s window and lose the rest; raise duration if the end matters");
  if (!durations.empty())
    notes.push_back("clip length: median " + fixed(stats["seconds"]["median"].get<double>(), 2) + " s, 5-95% " +
                    fixed(stats["seconds"]["p5"].get<double>(), 2) + "-" + fixed(stats["seconds"]["p95"].get<double>(), 2) +
                    " s; " + fixed(100.0 * mean_silence, 0) + "% of frames silent on average");
  return {{"stats", stats}, {"warnings", warnings}, {"notes", notes}};
}

}  // namespace adapt::audio
