#pragma once
// FASTA parsing (pure C++): multi-line records, '>' headers ("id description"), ';' comment lines,
// blank lines, CRLF. Sequences are cleaned with clean_sequence (alphabet.h).
#include <string>
#include <vector>

#include "alphabet.h"

namespace adapt::protein {

struct FastaRecord {
  std::string id;           // first word of the header
  std::string description;  // the rest of the header, trimmed
  std::string header;       // the whole header line without '>'
  std::string sequence;     // cleaned residues
  size_t line = 0;          // 1-based line of the header
};

// `file` names the input in errors. Throws adapt::DataError for: text before the first header (a file
// without '>' headers), a header without an id, an empty or invalid sequence (record id and residue
// position named), and an input with no records at all.
std::vector<FastaRecord> parse_fasta(const std::string& text, const std::string& file, InvalidPolicy policy,
                                     const std::string& component);

// Reads a whole file; DataError naming the path when it cannot be opened.
std::string read_text_file(const std::string& path, const std::string& component);

}  // namespace adapt::protein
