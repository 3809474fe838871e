#pragma once
// The modality's own checks: each input block's Block::audit (audio durations and clipping, text
// lengths, residues, cardinality, ...) on the training rows and on each held-out split. A block that
// does not implement it adds nothing; one that throws is reported as a note, never a failure.
#include "adapt/data/data_blocks.h"
#include "adapt/inspect/findings.h"
#include "adapt/inspect/inspect_input.h"

namespace adapt {

// Adds report.sections["modality"]: {"<block key>": {"train": stats, "valid": ..., "test": ...}} and
// the blocks' warnings and notes, each prefixed with the block key and split.
ADAPT_API void check_blocks(const InspectInput& in, const DataBlocks& blocks, InspectReport& report);

}  // namespace adapt
