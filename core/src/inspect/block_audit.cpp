#include "adapt/inspect/block_audit.h"

namespace adapt {

void check_blocks(const InspectInput& in, const DataBlocks& blocks, InspectReport& report) {
  json section = json::object();
  for (const auto& bound : blocks.inputs()) {
    for (const std::string split : {"train", "valid", "test"}) {
      const auto& rows = split_rows(in.split, split);
      if (rows.empty()) continue;
      json audit;
      try {
        audit = bound.block->audit(in.records, rows);
      } catch (const std::exception& e) {
        report.note("modality", "input " + bound.key + ": its block's audit failed on " + split + ": " + e.what());
        continue;
      }
      if (audit.is_null()) break;  // the block has no audit
      if (audit.contains("stats")) section[bound.key][split] = audit["stats"];
      const std::string where = "input " + bound.key + " (" + split + "): ";
      if (audit.contains("warnings"))
        for (const auto& w : audit["warnings"]) report.warn("modality", where + w.get<std::string>());
      if (audit.contains("notes"))
        for (const auto& n : audit["notes"]) report.note("modality", where + n.get<std::string>());
    }
  }
  if (!section.empty()) report.sections["modality"] = section;
}

}  // namespace adapt
