#include "fasta.h"

#include <fstream>
#include <sstream>

#include "adapt/common/error.h"

namespace adapt::protein {

std::string read_text_file(const std::string& path, const std::string& component) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(component + ": cannot open '" + path +
                    "'; check the path (relative paths in a recipe are relative to the recipe file)");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

namespace {
std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}
}  // namespace

std::vector<FastaRecord> parse_fasta(const std::string& text, const std::string& file, InvalidPolicy policy,
                                     const std::string& component) {
  std::vector<FastaRecord> out;
  std::string raw;  // residues of the current record, lines joined
  bool open = false;
  auto finish = [&] {
    if (!open) return;
    auto& r = out.back();
    r.sequence = clean_sequence(raw, policy, component,
                                file + ":" + std::to_string(r.line) + " record '" + r.id + "'");
    raw.clear();
  };
  size_t start = 0, line = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string l = text.substr(start, end - start);
    start = end + 1;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty() || (l[0] == ';' && !open)) continue;
    if (l[0] == '>') {
      finish();
      FastaRecord r;
      r.header = trim(l.substr(1));
      r.line = line;
      const auto space = r.header.find_first_of(" \t");
      r.id = r.header.substr(0, space);
      r.description = space == std::string::npos ? "" : trim(r.header.substr(space));
      if (r.id.empty())
        throw DataError(component + ": " + file + ":" + std::to_string(line) +
                        ": a header without an id ('>' must be followed by the record's id, e.g. '>P12345 text')");
      out.push_back(std::move(r));
      open = true;
      continue;
    }
    if (!open) {
      std::string head = l.size() > 40 ? l.substr(0, 40) + "..." : l;
      throw DataError(component + ": " + file + ":" + std::to_string(line) +
                      ": expected a FASTA header line starting with '>', got '" + head +
                      "'; every record must start with '>id description' (is this a plain sequence or CSV "
                      "file? use protein.csv for tables)");
    }
    raw += l;
  }
  finish();
  if (out.empty())
    throw DataError(component + ": " + file + ": no FASTA records (the file is empty); records start with '>id'");
  return out;
}

}  // namespace adapt::protein
