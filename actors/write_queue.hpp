#pragma once
// The storage actor's writes that the database refused for a reason outside
// the write itself (issue 14.5): the disk or max_page_count full, the file
// read-only, a lock held by another connection, an I/O error. Such a write
// is kept in memory, in order, and tried again after a backoff that doubles
// (50 ms to 5 s by default); every later write waits behind it, so the
// order of a call's turns, statuses and its final record holds. A write
// that fails because it is itself wrong (a constraint, a bug) would fail
// forever: it is dropped, and drain() says which and why. Plain state: the
// storage actor owns it, runs it and times it.

#include "common/result.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::actors {

/// How a failed write is treated.
enum class write_failure {
  transient, ///< the environment refused it: keep it and try again
  permanent, ///< the write is wrong: trying again cannot help
};

/// Classifies the store's error by SQLite's primary result code
/// (sqlite.org/rescode.html), which reaches us as sqlite3_errstr()'s text at
/// the end of the message: SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL,
/// SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_NOMEM,
/// SQLITE_PROTOCOL and SQLITE_NOLFS are transient; anything else
/// (SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_ERROR, SQLITE_CORRUPT, ...,
/// or an error that is not SQLite's) is permanent.
write_failure classify(const error& e);

/// Writes kept in order, each run again until it is written or found wrong.
class write_queue {
public:
  /// One try at a write: ok, or the store's error.
  using attempt = std::function<status()>;

  struct options {
    std::chrono::milliseconds initial_backoff{50};
    std::chrono::milliseconds max_backoff{5'000};
    std::size_t max_pending = 10'000; ///< above this, writes are still kept, and it says so
  };

  /// A write given up: what it was and why.
  struct dropped_write {
    std::string what;
    error why;
  };

  /// What a drain did.
  struct drained {
    std::size_t written = 0;
    std::vector<dropped_write> dropped;
    std::optional<error> blocked_by; ///< the first write still failing (it stays first)
  };

  write_queue() = default;
  explicit write_queue(options o) : opts_(o), backoff_(o.initial_backoff) {}

  bool empty() const { return writes_.empty(); }
  std::size_t size() const { return writes_.size(); }
  bool over_cap() const { return writes_.size() > opts_.max_pending; }
  const options& limits() const { return opts_; }

  /// Keeps `w` (named `what` in the logs) behind the writes waiting.
  void push(std::string what, attempt w);

  /// Runs the writes in order: each written one leaves the queue, a
  /// permanent failure is dropped, the first transient failure stops the
  /// drain (it stays first) and doubles the backoff. Emptied, the backoff
  /// starts again from the initial one.
  drained drain();

  /// How long to wait before the next drain.
  std::chrono::milliseconds backoff() const { return backoff_; }

  /// The names of the writes waiting, oldest first (for the log at shutdown).
  std::vector<std::string> waiting() const;

private:
  struct entry {
    std::string what;
    attempt run;
  };

  options opts_;
  std::chrono::milliseconds backoff_{opts_.initial_backoff};
  std::deque<entry> writes_;
};

} // namespace sb::actors
