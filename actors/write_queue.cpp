#include "actors/write_queue.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <string_view>

namespace sb::actors {

namespace {

/// PostgreSQL: the SQLSTATE that storage/pg_db.cpp puts at the end of its
/// messages ("... [SQLSTATE 40001]"). The classes and codes are PostgreSQL's
/// Appendix A, "PostgreSQL Error Codes"
/// (postgresql.org/docs/current/errcodes-appendix.html): class 08
/// connection exception, 40001 serialization_failure, 40P01
/// deadlock_detected, class 53 insufficient resources (disk full, out of
/// memory, too many connections), 57P01-57P05 admin/crash shutdown and
/// cannot_connect_now, 55P03 lock_not_available are the environment's;
/// everything else (class 23 integrity constraint violation, 42 syntax
/// error or access rule violation, 22 data exception, ...) is the write's.
write_failure classify_postgres(std::string_view msg) {
  constexpr std::string_view tag = "[SQLSTATE ";
  auto at = msg.rfind(tag);
  if (at == std::string_view::npos || msg.size() < at + tag.size() + 6)
    return write_failure::permanent; // not the server's refusal: our own (a bad bind)
  std::string_view code = msg.substr(at + tag.size(), 5);
  auto starts = [&](std::string_view p) { return code.substr(0, p.size()) == p; };
  if (starts("08") || starts("53") || starts("57P0") || code == "40001" || code == "40P01" ||
      code == "55P03")
    return write_failure::transient;
  return write_failure::permanent;
}

} // namespace

write_failure classify(const error& e) {
  if (e.code == "postgres")
    return classify_postgres(e.message);
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
