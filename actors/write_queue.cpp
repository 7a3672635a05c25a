#include "actors/write_queue.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <string_view>

namespace sb::actors {

write_failure classify(const error& e) {
  if (e.code != "sqlite")
    return write_failure::permanent;
  // storage/sqlite_db.cpp reports "<what>: <sqlite3_errmsg>", and for these
  // codes sqlite3_errmsg is the code's sqlite3_errstr text ("database is
  // locked", "database or disk is full", "attempt to write a readonly
  // database", "disk I/O error", ...; sqlite.org/rescode.html lists each).
  // "is locked" also covers the messages SQLite words itself for
  // SQLITE_LOCKED ("database schema is locked: main", "database table is
  // locked: <name>").
  static constexpr int transient_codes[] = {SQLITE_BUSY,     SQLITE_LOCKED,   SQLITE_FULL,
                                            SQLITE_READONLY, SQLITE_IOERR,    SQLITE_CANTOPEN,
                                            SQLITE_NOMEM,    SQLITE_PROTOCOL, SQLITE_NOLFS};
  std::string_view msg = e.message;
  for (int code : transient_codes) {
    std::string_view text = sqlite3_errstr(code);
    if (msg.size() >= text.size() && msg.substr(msg.size() - text.size()) == text)
      return write_failure::transient;
  }
  if (msg.find(" is locked") != std::string_view::npos)
    return write_failure::transient;
  return write_failure::permanent;
}

void write_queue::push(std::string what, attempt w) {
  writes_.push_back({std::move(what), std::move(w)});
}

write_queue::drained write_queue::drain() {
  drained out;
  while (!writes_.empty()) {
    auto& w = writes_.front();
    auto r = w.run();
    if (!r && classify(r.err()) == write_failure::transient) {
      out.blocked_by = r.err();
      backoff_ = std::min(backoff_ * 2, opts_.max_backoff);
      return out;
    }
    if (r)
      ++out.written;
    else
      out.dropped.push_back({std::move(w.what), r.err()});
    writes_.pop_front();
  }
  backoff_ = opts_.initial_backoff;
  return out;
}

std::vector<std::string> write_queue::waiting() const {
  std::vector<std::string> out;
  out.reserve(writes_.size());
  for (const auto& w : writes_)
    out.push_back(w.what);
  return out;
}

} // namespace sb::actors
