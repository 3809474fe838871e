#include "adapt/report/interpretation.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <numeric>
#include <sstream>

#include "adapt/common/atomic_file.h"
#include "adapt/common/tensor_text.h"
#include "adapt/data/csv_writer.h"

namespace adapt {
namespace {

std::string format_values(const torch::Tensor& row) {
  std::vector<std::string> parts;
  auto r = row.reshape({-1});
  for (int64_t i = 0; i < r.numel(); ++i) parts.push_back(fmt::format("{:.6g}", r[i].item<double>()));
  return fmt::format("{}", fmt::join(parts, ";"));
}

// A plain text table with left-aligned first column and right-aligned others.
std::string text_table(const std::vector<std::vector<std::string>>& cells) {
  if (cells.empty()) return {};
  std::vector<size_t> width;
  for (const auto& row : cells)
    for (size_t c = 0; c < row.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], row[c].size());
    }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) line += "  ";
      line += c == 0 ? fmt::format("{:<{}}", row[c], width[c]) : fmt::format("{:>{}}", row[c], width[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}


}  // namespace

Interpretation::Interpretation(torch::Tensor outputs, torch::Tensor targets, torch::Tensor losses,
                               std::vector<size_t> rows, std::vector<std::string> classes,
                               std::vector<std::string> items)
    : outputs_(outputs.detach().to(torch::kCPU, torch::kDouble)),
      targets_(targets.detach().to(torch::kCPU)),
      losses_(losses.detach().to(torch::kCPU, torch::kDouble).reshape({-1})),
      rows_(std::move(rows)),
      classes_(std::move(classes)),
      items_(std::move(items)) {
  const char* who = "interpretation";
  const int64_t n = static_cast<int64_t>(rows_.size());
  if (outputs_.dim() == 0 || outputs_.size(0) != n || targets_.dim() == 0 || targets_.size(0) != n ||
      losses_.numel() != n || (!items_.empty() && static_cast<int64_t>(items_.size()) != n))
    throw Error(fmt::format("{}: sizes disagree: outputs {}, targets {}, losses {}, {} rows, {} item descriptions; "
                            "each needs one entry per item",
                            who, shape_text(outputs_), shape_text(targets_), shape_text(losses_), n, items_.size()));
  if (is_classification()) {
    const int64_t c = static_cast<int64_t>(classes_.size());
    if (outputs_.dim() != 2 || outputs_.size(1) != c)
      throw Error(fmt::format("{}: classification outputs must be [items, {}] for {} classes, got {}", who, c, c,
                              shape_text(outputs_)));
    if (targets_.is_floating_point()) {
      if (targets_.sizes() != outputs_.sizes())
        throw Error(fmt::format("{}: float targets {} must match the outputs {} (multi-label)", who,
                                shape_text(targets_), shape_text(outputs_)));
      predicted_ = outputs_.gt(0);
    } else {
      targets_ = targets_.to(torch::kLong).reshape({-1});
      if (n > 0 && (targets_.min().item<int64_t>() < 0 || targets_.max().item<int64_t>() >= c))
        throw Error(fmt::format("{}: target classes must lie in [0, {}), got values from {} to {}", who, c,
                                targets_.min().item<int64_t>(), targets_.max().item<int64_t>()));
      predicted_ = outputs_.argmax(1);
    }
  } else {
    if (outputs_.numel() != targets_.numel())
      throw Error(fmt::format("{}: regression outputs {} and targets {} must hold the same values", who,
                              shape_text(outputs_), shape_text(targets_)));
    outputs_ = outputs_.reshape({n, -1});
    targets_ = targets_.to(torch::kDouble).reshape({n, -1});
    predicted_ = outputs_;
  }
}

void Interpretation::require_classification(const char* what) const {
  if (!is_classification() || targets_.is_floating_point())
    throw Error(fmt::format("interpretation: {} needs a single-label classification target (class names and int64 "
                            "targets)",
                            what));
}

torch::Tensor Interpretation::confusion_matrix() const {
  require_classification("a confusion matrix");
  const int64_t c = static_cast<int64_t>(classes_.size());
  return at::bincount(targets_ * c + predicted_, {}, c * c).to(torch::kLong).view({c, c});
}

std::vector<ConfusedPair> Interpretation::most_confused(int64_t min_count) const {
  auto cm = confusion_matrix();
  std::vector<ConfusedPair> out;
  const int64_t c = cm.size(0);
  auto acc = cm.accessor<int64_t, 2>();
  for (int64_t i = 0; i < c; ++i)
    for (int64_t j = 0; j < c; ++j)
      if (i != j && acc[i][j] >= std::max<int64_t>(min_count, 1))
        out.push_back({classes_[static_cast<size_t>(i)], classes_[static_cast<size_t>(j)], acc[i][j]});
  std::stable_sort(out.begin(), out.end(), [](const ConfusedPair& a, const ConfusedPair& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.actual != b.actual) return a.actual < b.actual;
    return a.predicted < b.predicted;
  });
  return out;
}

std::vector<TopLoss> Interpretation::top_losses(size_t k) const {
  std::vector<size_t> order(rows_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto loss = losses_.contiguous();
  const double* l = loss.data_ptr<double>();
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (l[a] != l[b]) return l[a] > l[b];
    return rows_[a] < rows_[b];
  });
  order.resize(std::min(k, order.size()));
  auto names = [&](const torch::Tensor& mask) {
    std::vector<std::string> on;
    for (int64_t c = 0; c < mask.numel(); ++c)
      if (mask[c].item<bool>()) on.push_back(classes_[static_cast<size_t>(c)]);
    return fmt::format("{}", fmt::join(on, ";"));
  };
  std::vector<TopLoss> out;
  for (size_t i : order) {
    const auto ii = static_cast<int64_t>(i);
    TopLoss t;
    t.row = rows_[i];
    t.item = items_.empty() ? std::string() : items_[i];
    t.loss = l[i];
    if (!is_classification()) {
      t.actual = format_values(targets_[ii]);
      t.predicted = format_values(outputs_[ii]);
    } else if (targets_.is_floating_point()) {
      t.actual = names(targets_[ii].gt(0.5));
      t.predicted = names(predicted_[ii]);
    } else {
      const int64_t pred = predicted_[ii].item<int64_t>();
      t.actual = classes_[static_cast<size_t>(targets_[ii].item<int64_t>())];
      t.predicted = classes_[static_cast<size_t>(pred)];
      t.probability = outputs_[ii].softmax(0)[pred].item<double>();
    }
    out.push_back(std::move(t));
  }
  return out;
}

namespace {
std::vector<std::vector<std::string>> confusion_cells(const torch::Tensor& cm, const std::vector<std::string>& classes,
                                                      const std::string& corner) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header{corner};
  header.insert(header.end(), classes.begin(), classes.end());
  cells.push_back(header);
  auto acc = cm.accessor<int64_t, 2>();
  for (size_t i = 0; i < classes.size(); ++i) {
    std::vector<std::string> row{classes[i]};
    for (size_t j = 0; j < classes.size(); ++j)
      row.push_back(std::to_string(acc[static_cast<int64_t>(i)][static_cast<int64_t>(j)]));
    cells.push_back(row);
  }
  return cells;
}

std::vector<std::vector<std::string>> confused_cells(const std::vector<ConfusedPair>& pairs) {
  std::vector<std::vector<std::string>> cells{{"actual", "predicted", "count"}};
  for (const auto& p : pairs) cells.push_back({p.actual, p.predicted, std::to_string(p.count)});
  return cells;
}

std::vector<std::vector<std::string>> top_loss_cells(const std::vector<TopLoss>& losses, bool classification,
                                                     bool with_items) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header{"row", "actual", "predicted"};
  if (classification) header.push_back("probability");
  header.push_back("loss");
  if (with_items) header.push_back("item");
  cells.push_back(header);
  for (const auto& t : losses) {
    std::vector<std::string> row{std::to_string(t.row), t.actual, t.predicted};
    if (classification) row.push_back(fmt::format("{:.4f}", t.probability));
    row.push_back(fmt::format("{:.4f}", t.loss));
    if (with_items) row.push_back(t.item);
    cells.push_back(row);
  }
  return cells;
}
}  // namespace

std::string Interpretation::confusion_matrix_text() const {
  return text_table(confusion_cells(confusion_matrix(), classes_, "actual\\predicted"));
}

std::string Interpretation::most_confused_text(int64_t min_count) const {
  return text_table(confused_cells(most_confused(min_count)));
}

std::string Interpretation::top_losses_text(size_t k) const {
  return text_table(top_loss_cells(top_losses(k), is_classification() && !targets_.is_floating_point(),
                                   !items_.empty()));
}

void Interpretation::write_confusion_matrix_csv(const std::filesystem::path& path) const {
  write_text_atomically(path, csv_text(confusion_cells(confusion_matrix(), classes_, "actual")));
}

void Interpretation::write_most_confused_csv(const std::filesystem::path& path, int64_t min_count) const {
  write_text_atomically(path, csv_text(confused_cells(most_confused(min_count))));
}

void Interpretation::write_top_losses_csv(const std::filesystem::path& path, size_t k) const {
  write_text_atomically(path, csv_text(top_loss_cells(top_losses(k), is_classification() && !targets_.is_floating_point(),
                                                      !items_.empty())));
}

}  // namespace adapt
