#include "adapt/run/test_ledger.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

#include "adapt/common/atomic_file.h"
#include "adapt/common/cache_dir.h"
#include "adapt/common/hash.h"

namespace adapt {
namespace {

namespace fs = std::filesystem;

// Holds an exclusive flock on FILE.lock while the ledger is read and rewritten.
class LedgerLock {
 public:
  explicit LedgerLock(const fs::path& file) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    const fs::path lock = file.string() + ".lock";
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0)
      throw Error("test ledger: cannot lock " + lock.string() + ": " + std::strerror(errno) +
                  " (set XDG_CACHE_HOME to a writable folder)");
  }
  ~LedgerLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  LedgerLock(const LedgerLock&) = delete;
  LedgerLock& operator=(const LedgerLock&) = delete;

 private:
  int fd_ = -1;
};

nlohmann::json read_ledger(const fs::path& file) {
  if (!fs::exists(file)) return nlohmann::json::object();
  std::ifstream in(file);
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.is_object()) return j;
  } catch (const nlohmann::json::exception&) {
  }
  throw Error("test ledger " + file.string() +
              " is not a JSON object; it counts how often each test part was scored, so it was left as it is: "
              "repair it, or move it away to start counting again");
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

fs::path default_test_ledger_file() { return user_cache_dir() / "test_ledger.json"; }

std::string test_part_key(const std::string& data_hash, std::vector<size_t> test_rows) {
  std::sort(test_rows.begin(), test_rows.end());
  std::string rows;
  for (size_t r : test_rows) rows += std::to_string(r) + ",";
  return data_hash + "/" + hex64(fnv1a64(rows));
}

TestLedger::TestLedger(fs::path file) : file_(std::move(file)) {}

int64_t TestLedger::count(const std::string& key) const {
  LedgerLock lock(file_);
  const nlohmann::json ledger = read_ledger(file_);
  return ledger.contains(key) && ledger[key].is_object() ? ledger[key].value("scored", int64_t{0}) : 0;
}

int64_t TestLedger::record(const std::string& key, const std::string& source) {
  LedgerLock lock(file_);
  nlohmann::json ledger = read_ledger(file_);
  nlohmann::json& entry = ledger[key];
  if (!entry.is_object()) entry = nlohmann::json::object();
  const int64_t scored = entry.value("scored", int64_t{0}) + 1;
  entry["scored"] = scored;
  entry["source"] = source;
  entry["last"] = now_utc();
  write_text_atomically(file_, ledger.dump(2) + "\n");
  return scored;
}

std::string test_part_line(const json& status) {
  if (status.value("sealed", false))
    return "test part sealed: " + std::to_string(status.value("rows", size_t{0})) +
           " rows kept for the final run (adapt train --final, or a split without a validation part)";
  if (status.value("rows", size_t{0}) == 0) return "no test part";
  if (!status.contains("scored") || status["scored"].is_null()) return "test part scored; the ledger could not count it";
  const int64_t n = status["scored"].get<int64_t>();
  return "test part scored " + std::to_string(n) + (n == 1 ? " time" : " times") + ", this run included";
}

}  // namespace adapt
