#pragma once
// Bit-exact comparisons for the conformance checks: tensors, dictionaries of tensors, batches of
// them, and learned states compared as the CBOR bytes an export stores. Each returns "" when equal,
// else a description of the first difference for the failure message.
#include <torch/types.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/common/tensor_dict.h"
#include "adapt/common/tensor_text.h"

namespace adapt::testing {

// "" when `a` and `b` have the same dtype, shape and bytes (NaNs compare by their bits, which is
// what "bit-identical" means); else what differs.
inline std::string tensor_difference(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.defined() != b.defined()) return a.defined() ? "undefined in the second" : "undefined in the first";
  if (!a.defined()) return {};
  if (a.scalar_type() != b.scalar_type())
    return std::string("dtype ") + c10::toString(a.scalar_type()) + " vs " + c10::toString(b.scalar_type());
  if (a.sizes() != b.sizes()) return "shape " + shape_text(a) + " vs " + shape_text(b);
  const torch::Tensor x = a.detach().cpu().contiguous(), y = b.detach().cpu().contiguous();
  const size_t bytes = static_cast<size_t>(x.numel()) * x.element_size();
  if (bytes == 0 || std::memcmp(x.data_ptr(), y.data_ptr(), bytes) == 0) return {};
  const auto flat_x = x.reshape({-1}), flat_y = y.reshape({-1});
  const size_t width = x.element_size();
  for (int64_t i = 0; i < flat_x.numel(); ++i) {
    const auto* px = static_cast<const char*>(flat_x.data_ptr()) + static_cast<size_t>(i) * width;
    const auto* py = static_cast<const char*>(flat_y.data_ptr()) + static_cast<size_t>(i) * width;
    if (std::memcmp(px, py, width) == 0) continue;
    std::ostringstream out;
    out << "element " << i << " of " << shape_text(a) << ": " << flat_x[i].item().toDouble() << " vs "
        << flat_y[i].item().toDouble();
    return out.str();
  }
  return "bytes differ";
}

// "" when both dictionaries hold the same keys with bit-identical tensors.
inline std::string dict_difference(const TensorDict& a, const TensorDict& b) {
  for (const auto& [key, tensor] : a) {
    auto it = b.find(key);
    if (it == b.end()) return "key \"" + key + "\" only in the first";
    std::string d = tensor_difference(tensor, it->second);
    if (!d.empty()) return "key \"" + key + "\": " + d;
  }
  for (const auto& [key, tensor] : b)
    if (!a.count(key)) return "key \"" + key + "\" only in the second";
  return {};
}

// "" when the lists are equal item by item; `labels[i]` names item i in the message.
inline std::string dicts_difference(const std::vector<TensorDict>& a, const std::vector<TensorDict>& b,
                                    const std::vector<std::string>& labels) {
  if (a.size() != b.size()) return std::to_string(a.size()) + " items vs " + std::to_string(b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    std::string d = dict_difference(a[i], b[i]);
    if (!d.empty()) return (i < labels.size() ? labels[i] : "item " + std::to_string(i)) + ", " + d;
  }
  return {};
}

// A deep copy: transforms change dictionaries in place, and a check must not see its own edits.
inline TensorDict clone_dict(const TensorDict& dict) {
  TensorDict out;
  for (const auto& [key, tensor] : dict) out[key] = tensor.defined() ? tensor.clone() : tensor;
  return out;
}

// "" when two states serialise to the same CBOR bytes, the form an export stores them in (so binary
// fields and NaNs compare exactly); else both, shortened.
inline std::string state_difference(const json& a, const json& b) {
  if (json::to_cbor(a) == json::to_cbor(b)) return {};
  auto shown = [](const json& j) {
    std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
    return s.size() > 300 ? s.substr(0, 297) + "..." : s;
  };
  // The first top-level key that differs makes long states readable.
  if (a.is_object() && b.is_object()) {
    for (const auto& item : a.items()) {
      if (!b.contains(item.key())) return "\"" + item.key() + "\" missing in the second";
      if (json::to_cbor(item.value()) != json::to_cbor(b[item.key()]))
        return "\"" + item.key() + "\": " + shown(item.value()) + " vs " + shown(b[item.key()]);
    }
    for (const auto& item : b.items())
      if (!a.contains(item.key())) return "\"" + item.key() + "\" only in the second";
  }
  return shown(a) + " vs " + shown(b);
}

}  // namespace adapt::testing
