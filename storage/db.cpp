#include "storage/db.hpp"

#include "storage/pg_db.hpp"
#include "storage/sqlite_db.hpp"

namespace sb::storage::detail {

status query::run() {
  for (;;) {
    auto r = step();
    if (!r)
      return r.err();
    if (!*r)
      return ok_status();
  }
}

result<int64_t> first_int(database& db, std::string_view sql, std::string_view what) {
  auto q = db.prepare(sql, what);
  if (!q)
    return q.err();
  auto row = q->step();
  if (!row)
    return row.err();
  return *row ? q->int_at(0) : 0;
}

result<std::unique_ptr<database>> open_database(const std::string& location) {
  if (is_postgres_url(location))
    return pg_database::open(location);
  return sqlite_database::open(location);
}

status transaction::begin() {
  if (auto s = db_.begin(); !s)
    return s;
  open_ = true;
  return ok_status();
}

status transaction::commit() {
  if (auto s = db_.commit(); !s)
    return s; // still open: the destructor rolls back
  open_ = false;
  return ok_status();
}

transaction::~transaction() {
  // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) already rolled back; a
  // second ROLLBACK would only fail with "no transaction is active".
  if (open_ && db_.in_transaction())
    db_.rollback();
}

} // namespace sb::storage::detail

namespace sb::storage {

bool is_postgres_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

} // namespace sb::storage
