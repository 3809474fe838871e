// Reading a plugin's manifest straight from its ELF file (section headers -> ".adapt_plugin"), and
// checking what it declares.
#include "adapt/plugin/plugin_manifest.h"

#include <elf.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <vector>

namespace adapt {
namespace {

namespace fs = std::filesystem;

// Reads `size` bytes at `offset`; throws PluginError naming the file when the file is shorter.
std::string read_at(std::ifstream& in, const fs::path& file, uint64_t offset, uint64_t size) {
  std::string bytes(size, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in || static_cast<uint64_t>(in.gcount()) != size)
    throw PluginError(file.string() + " is truncated: its ELF headers point past its end; rebuild or reinstall it");
  return bytes;
}

// The contents of the section named `wanted`, or nullopt when there is none.
std::optional<std::string> elf_section(const fs::path& file, const std::string& wanted) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw PluginError(file.string() + " cannot be read; check its permissions");
  Elf64_Ehdr header{};
  in.read(reinterpret_cast<char*>(&header), sizeof header);
  if (!in || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    throw PluginError(file.string() + " is not a shared library (it does not start with an ELF header). Plugins are "
                      "lib<name>.so files built with adapt_add_plugin(); remove this file from the plugin directory.");
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB)
    throw PluginError(file.string() + " is not a 64-bit little-endian ELF file, so it was not built for this machine");
  if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum == 0 || header.e_shstrndx >= header.e_shnum)
    return std::nullopt;  // no section table (stripped to the bone): nothing to find
  const std::string table = read_at(in, file, header.e_shoff, uint64_t{header.e_shnum} * sizeof(Elf64_Shdr));
  std::vector<Elf64_Shdr> sections(header.e_shnum);
  std::memcpy(sections.data(), table.data(), table.size());
  const Elf64_Shdr& names = sections[header.e_shstrndx];
  const std::string strings = read_at(in, file, names.sh_offset, names.sh_size);
  for (const auto& section : sections) {
    if (section.sh_name >= strings.size() || strings.compare(section.sh_name, wanted.size() + 1,
                                                             std::string(wanted.c_str(), wanted.size() + 1)) != 0)
      continue;
    if (section.sh_size > (1u << 20)) throw PluginError(file.string() + ": its " + wanted + " section is implausibly large");
    return read_at(in, file, section.sh_offset, section.sh_size);
  }
  return std::nullopt;
}

const std::set<std::string>& spdx_ids() {
  static const std::set<std::string> ids = {
      "0BSD",          "AGPL-3.0-only",    "AGPL-3.0-or-later", "Apache-2.0",      "Artistic-2.0",
      "BSD-1-Clause",  "BSD-2-Clause",     "BSD-3-Clause",      "BSL-1.0",         "CC-BY-4.0",
      "CC-BY-SA-4.0",  "CC0-1.0",          "CDDL-1.0",          "EPL-1.0",         "EPL-2.0",
      "EUPL-1.2",      "GPL-2.0-only",     "GPL-2.0-or-later",  "GPL-3.0-only",    "GPL-3.0-or-later",
      "ISC",           "LGPL-2.0-only",    "LGPL-2.0-or-later", "LGPL-2.1-only",   "LGPL-2.1-or-later",
      "LGPL-3.0-only", "LGPL-3.0-or-later", "MIT",              "MIT-0",           "MPL-2.0",
      "NCSA",          "OpenSSL",          "PSF-2.0",           "Python-2.0",      "Unlicense",
      "UPL-1.0",       "WTFPL",            "X11",               "Zlib",            "curl"};
  return ids;
}
const std::set<std::string>& spdx_exceptions() {
  static const std::set<std::string> ids = {"Classpath-exception-2.0", "GCC-exception-3.1", "LLVM-exception",
                                            "Linux-syscall-note", "Qt-LGPL-exception-1.1"};
  return ids;
}

// A tiny recursive-descent parser: expr := term (("AND" | "OR") term)*, term := "(" expr ")" |
// id ["WITH" exception]; an id may end in "+" (or later).
class SpdxParser {
 public:
  explicit SpdxParser(const std::string& text) {
    static const std::regex token(R"(\(|\)|[A-Za-z0-9.+\-]+)");
    for (std::sregex_iterator it(text.begin(), text.end(), token), end; it != end; ++it) tokens_.push_back(it->str());
    std::string joined;
    for (char c : text)
      if (!std::isspace(static_cast<unsigned char>(c))) joined += c;
    std::string from_tokens;
    for (const auto& t : tokens_) from_tokens += t;
    clean_ = joined == from_tokens;  // nothing but tokens and spaces
  }
  bool valid() {
    if (!clean_ || tokens_.empty()) return false;
    return expression() && pos_ == tokens_.size();
  }

 private:
  bool expression() {
    if (!term()) return false;
    while (pos_ < tokens_.size() && (tokens_[pos_] == "AND" || tokens_[pos_] == "OR")) {
      ++pos_;
      if (!term()) return false;
    }
    return true;
  }
  bool term() {
    if (pos_ >= tokens_.size()) return false;
    if (tokens_[pos_] == "(") {
      ++pos_;
      if (!expression() || pos_ >= tokens_.size() || tokens_[pos_] != ")") return false;
      ++pos_;
      return true;
    }
    std::string id = tokens_[pos_++];
    if (!id.empty() && id.back() == '+') id.pop_back();
    if (!spdx_ids().count(id) && id.rfind("LicenseRef-", 0) != 0) return false;
    if (pos_ < tokens_.size() && tokens_[pos_] == "WITH") {
      ++pos_;
      return pos_ < tokens_.size() && spdx_exceptions().count(tokens_[pos_++]) > 0;
    }
    return true;
  }
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  bool clean_ = false;
};

}  // namespace

bool valid_spdx_expression(const std::string& expression) { return SpdxParser(expression).valid(); }

std::optional<PluginManifest> read_plugin_manifest(const fs::path& file) {
  auto section = elf_section(file, ADAPT_PLUGIN_SECTION);
  if (!section) return std::nullopt;
  // "adapt-plugin-manifest\0key=value\0key=value\0...": NUL-separated, as the macro writes it.
  std::map<std::string, std::string> fields;
  std::vector<std::string> parts;
  for (size_t start = 0; start < section->size();) {
    size_t end = section->find('\0', start);
    if (end == std::string::npos) end = section->size();
    parts.push_back(section->substr(start, end - start));
    start = end + 1;
  }
  if (parts.empty() || parts.front() != ADAPT_PLUGIN_MANIFEST_MAGIC)
    throw PluginError(file.string() + ": its " ADAPT_PLUGIN_SECTION " section is not an adapt plugin manifest; rebuild "
                      "the plugin with ADAPT_PLUGIN(...) and adapt_add_plugin()");
  for (size_t i = 1; i < parts.size(); ++i) {
    const auto eq = parts[i].find('=');
    if (eq != std::string::npos) fields[parts[i].substr(0, eq)] = parts[i].substr(eq + 1);
  }
  PluginManifest m;
  const std::string abi = fields["abi"];
  if (abi.empty() || abi.find_first_not_of("0123456789") != std::string::npos || abi.size() > 9)
    throw PluginError(file.string() + ": its plugin manifest has no valid ABI number (\"" + abi + "\")");
  m.abi_version = static_cast<uint32_t>(std::stoul(abi));
  m.name = fields["name"];
  m.version = fields["version"];
  m.license = fields["license"];
  m.description = fields["description"];
  m.fingerprint = fields["fingerprint"];
  return m;
}

std::string manifest_problem(const PluginManifest& m) {
  const auto named = [](const std::string& n) {
    return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](unsigned char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
  };
  if (!named(m.name))
    return "invalid plugin name \"" + m.name + "\"; use lowercase letters, digits, '_' or '-' (it prefixes every "
           "component name)";
  if (m.name == "core") return "the plugin name \"core\" is reserved for the core library's components; rename the plugin";
  static const std::regex semver(R"(\d+\.\d+\.\d+([-+][0-9A-Za-z.\-+]*)?)");
  if (!std::regex_match(m.version, semver))
    return "plugin \"" + m.name + "\" has version \"" + m.version + "\"; give MAJOR.MINOR.PATCH (adapt_add_plugin passes the "
           "CMake project's VERSION as ADAPT_PLUGIN_VERSION)";
  if (!valid_spdx_expression(m.license))
    return "plugin \"" + m.name + "\" has licence \"" + m.license + "\", which is not an SPDX expression; use an identifier "
           "such as MIT, Apache-2.0 or GPL-3.0-or-later (https://spdx.org/licenses), or LicenseRef-<name>";
  if (m.description.empty()) return "plugin \"" + m.name + "\" has no description; say in one line what it adds";
  return "";
}

}  // namespace adapt
