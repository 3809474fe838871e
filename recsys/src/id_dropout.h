#pragma once
// recsys.id_dropout (batch level, training only): replaces each row's user and/or item ids with the
// unknown-id row 0 at the given rates, so the model learns what to predict for a cold-start user or
// item instead of leaving that row at zero.
#include <adapt/data/transform.h>

#include <string>
#include <vector>

namespace adapt::recsys {

class IdDropout : public Transform {
 public:
  IdDropout(std::vector<std::string> keys, std::vector<double> rates);
  static OptionSchema schema();
  static std::shared_ptr<IdDropout> create(const Options& options);

  TransformLevel level() const override { return TransformLevel::batch; }
  void apply(TensorDict& batch, Rng& rng) const override;

 private:
  std::vector<std::string> keys_;
  std::vector<double> rates_;
};

}  // namespace adapt::recsys
