// The recipe's "train" and "interpret" sections: schemas, defaults and checks.
#include "adapt/recipe/recipe.h"

#include <algorithm>

namespace adapt {
namespace {

OptionSchema phase_schema() {
  return {
      OptionSpec("schedule", OptionType::string, "one_cycle", "learning-rate schedule")
          .choices({"one_cycle", "flat", "cosine"}),
      OptionSpec("epochs", OptionType::integer, nullptr, "epochs of this phase").min(1).required(),
      OptionSpec("lr", OptionType::any, 1e-3, "learning rate: a number, [low, high] per layer group, or \"find\""),
      OptionSpec("freeze_to", OptionType::any, nullptr,
                 "train layer groups from this one on (-1: last only); core.fusion also takes {branch: n}, each "
                 "branch's own groups"),
      OptionSpec("div", OptionType::number, 25.0, "one-cycle: start at lr / div").greater_than(0),
      OptionSpec("pct_start", OptionType::number, 0.25, "one-cycle: share of steps warming up").min(0).max(1),
      OptionSpec("div_final", OptionType::number, 1e5, "one-cycle: end at lr / div_final").greater_than(0),
      OptionSpec("moms", OptionType::number_list, json::array({0.95, 0.85, 0.95}), "one-cycle momentum start, middle, end")
          .min(0)
          .max(1),
  };
}

OptionSchema monitor_schema(bool with_patience) {
  OptionSchema s{
      OptionSpec("monitor", OptionType::string, "valid_loss", "valid_loss, train_loss or a metric name"),
      OptionSpec("mode", OptionType::string, "auto", "auto: from the metric; min or max").choices({"auto", "min", "max"}),
      OptionSpec("min_delta", OptionType::number, 0.0, "smallest change that counts as improvement").min(0),
  };
  if (with_patience) s.push_back(OptionSpec("patience", OptionType::integer, 3, "epochs without improvement").min(1));
  return s;
}

OptionSchema checkpoint_schema() {
  return {
      OptionSpec("every_epochs", OptionType::integer, 1, "write a checkpoint every N epochs (0: off)").min(0),
      OptionSpec("every_minutes", OptionType::number, 0.0, "and/or every N minutes (0: off)").min(0),
  };
}

OptionSchema train_schema() {
  OptionSchema s{
      OptionSpec("optimizer", OptionType::string, "adamw",
                 "adamw, rowwise_adamw (one Adam state value per row of sparse embedding tables: bounded memory) or sgd")
          .choices({"adamw", "rowwise_adamw", "sgd"}),
      OptionSpec("wd", OptionType::number, 0.01, "decoupled weight decay (never on biases and norms)").min(0),
      OptionSpec("grad_clip", OptionType::number, 0.0, "max global gradient norm (0: off)").min(0),
      OptionSpec("grad_accum", OptionType::integer, 1, "batches per optimizer step").min(1),
      OptionSpec("early_stopping", OptionType::object, nullptr, "stop when the monitored value stalls"),
      OptionSpec("save_best", OptionType::object, nullptr, "keep the best epoch's weights"),
      OptionSpec("checkpoint", OptionType::object, nullptr, "resumable checkpoints"),
      OptionSpec("phases", OptionType::any, nullptr, "list of phases; or give one phase's keys here"),
  };
  for (auto& spec : phase_schema()) {
    // Phase keys at train level describe the single phase; epochs is required only then.
    OptionSpec copy(spec.name(), spec.type(), spec.name() == "epochs" ? json(nullptr) : spec.default_value(), spec.help());
    if (spec.min_value()) copy.min(*spec.min_value());
    if (spec.max_value()) copy.max(*spec.max_value());
    if (spec.exclusive_min()) copy.greater_than(*spec.exclusive_min());
    if (!spec.allowed().empty()) copy.choices(spec.allowed());
    s.push_back(copy);
  }
  return s;
}

PhasePlan parse_phase(const json& spec, const std::string& path) {
  Options o(phase_schema(), spec, path);
  PhasePlan p;
  p.schedule = o.string("schedule");
  p.epochs = o.integer("epochs");
  p.lr = o.raw("lr");
  if (!(p.lr.is_string() && p.lr == "find")) {
    if (p.lr.is_number()) {
      if (!(p.lr.get<double>() > 0)) throw OptionError(path + ".lr: must be > 0, got " + p.lr.dump());
    } else if (p.lr.is_array() && p.lr.size() == 2 && p.lr[0].is_number() && p.lr[1].is_number()) {
      if (!(p.lr[0].get<double>() > 0) || p.lr[0].get<double>() > p.lr[1].get<double>())
        throw OptionError(path + ".lr: [low, high] needs 0 < low <= high, got " + p.lr.dump());
    } else {
      throw OptionError(path + ".lr: must be a number, [low, high] or \"find\", got " + p.lr.dump());
    }
  }
  if (o.has("freeze_to")) {
    const json& f = o.raw("freeze_to");
    const bool per_branch = f.is_object() && !f.empty() &&
                            std::all_of(f.begin(), f.end(), [](const json& n) { return n.is_number_integer(); });
    if (f.is_number_integer())
      p.freeze_to = f.get<int64_t>();
    else if (per_branch)
      p.branch_freeze_to = f;
    else
      throw OptionError(path + ".freeze_to: must be an integer (a layer group), or for core.fusion an object of "
                        "integers per branch such as {\"text\": -1}, got " + f.dump());
  }
  p.one_cycle.div = o.number("div");
  p.one_cycle.pct_start = o.number("pct_start");
  p.one_cycle.div_final = o.number("div_final");
  auto moms = o.numbers("moms");
  if (moms.size() != 3) throw OptionError(path + ".moms: needs 3 values (start, middle, end), got " + o.raw("moms").dump());
  for (int i = 0; i < 3; ++i) p.one_cycle.moms[i] = moms[static_cast<size_t>(i)];
  return p;
}

}  // namespace

TrainPlan parse_train_section(const json& train) {
  if (!train.is_object()) throw OptionError("train: must be an object, got " + train.dump());
  Options o(train_schema(), train, "train");
  TrainPlan plan;
  plan.optimizer = o.string("optimizer");
  plan.wd = o.number("wd");
  plan.grad_clip = o.number("grad_clip");
  plan.grad_accum = o.integer("grad_accum");
  plan.filled = {{"optimizer", plan.optimizer}, {"wd", plan.wd}, {"grad_clip", plan.grad_clip}, {"grad_accum", plan.grad_accum}};
  if (o.has("early_stopping")) {
    plan.early_stopping = Options(monitor_schema(true), o.raw("early_stopping"), "train.early_stopping").values();
    plan.filled["early_stopping"] = plan.early_stopping;
  }
  if (o.has("save_best")) {
    plan.save_best = Options(monitor_schema(false), o.raw("save_best"), "train.save_best").values();
    plan.filled["save_best"] = plan.save_best;
  }
  if (o.has("checkpoint")) {
    plan.checkpoint = Options(checkpoint_schema(), o.raw("checkpoint"), "train.checkpoint").values();
    plan.filled["checkpoint"] = plan.checkpoint;
  }
  bool single = train.contains("epochs") || train.contains("schedule") || train.contains("lr");
  if (o.has("phases")) {
    if (single)
      throw OptionError("train: give either \"phases\" or one phase's keys (schedule, epochs, lr) directly, not both");
    const json& phases = o.raw("phases");
    if (!phases.is_array() || phases.empty())
      throw OptionError("train.phases: must be a non-empty list of phases, got " + phases.dump());
    for (size_t i = 0; i < phases.size(); ++i) {
      std::string path = "train.phases[" + std::to_string(i) + "]";
      if (!phases[i].is_object()) throw OptionError(path + ": must be an object, got " + phases[i].dump());
      plan.phases.push_back(parse_phase(phases[i], path));
    }
  } else {
    if (!train.contains("epochs"))
      throw OptionError("train.epochs: missing; give epochs (and schedule, lr) or a \"phases\" list");
    json phase = json::object();
    for (const auto& spec : phase_schema())
      if (train.contains(spec.name())) phase[spec.name()] = train[spec.name()];
    plan.phases.push_back(parse_phase(phase, "train"));
  }
  json phases = json::array();
  for (const auto& p : plan.phases) {
    json j = {{"schedule", p.schedule}, {"epochs", p.epochs}, {"lr", p.lr}};
    if (p.freeze_to) j["freeze_to"] = *p.freeze_to;
    if (!p.branch_freeze_to.is_null()) j["freeze_to"] = p.branch_freeze_to;
    if (p.schedule == "one_cycle")
      j.update({{"div", p.one_cycle.div},
                {"pct_start", p.one_cycle.pct_start},
                {"div_final", p.one_cycle.div_final},
                {"moms", {p.one_cycle.moms[0], p.one_cycle.moms[1], p.one_cycle.moms[2]}}});
    phases.push_back(j);
  }
  plan.filled["phases"] = phases;
  return plan;
}

InterpretPlan parse_interpret_section(const json& interpret) {
  OptionSchema schema{
      OptionSpec("top_losses", OptionType::integer, 10, "items with the highest loss to list").min(0),
      OptionSpec("confusion_matrix", OptionType::boolean, true, "confusion matrix CSV and SVG (classification)"),
      OptionSpec("most_confused_min", OptionType::integer, 1, "smallest count listed in most_confused").min(1),
  };
  if (!interpret.is_object()) throw OptionError("interpret: must be an object, got " + interpret.dump());
  Options o(schema, interpret, "interpret");
  return {o.integer("top_losses"), o.boolean("confusion_matrix"), o.integer("most_confused_min")};
}

}  // namespace adapt
