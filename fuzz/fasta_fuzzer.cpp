// The protein plugin's FASTA parser (protein/src/fasta.h): any text under each invalid-residue
// policy gives records of clean residues, or a DataError.
#include "alphabet.h"
#include "fasta.h"
#include "fuzz_support.h"

using adapt::protein::Alphabet;
using adapt::protein::InvalidPolicy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  adapt::fuzz::Input in(data, size);
  static const InvalidPolicy policies[] = {InvalidPolicy::error, InvalidPolicy::x, InvalidPolicy::remove};
  const InvalidPolicy policy = policies[in.byte() % 3];
  adapt::fuzz::refuse_cleanly([&] {
    for (const auto& record : adapt::protein::parse_fasta(in.rest(), "fuzz.fasta", policy, "protein.fasta")) {
      adapt::fuzz::check(!record.id.empty() && !record.sequence.empty(), "a record has an id and residues");
      for (char c : record.sequence) adapt::fuzz::check(Alphabet::residue_id(c) >= 0, "residues are clean");
    }
  });
  return 0;
}
