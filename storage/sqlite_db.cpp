#include "storage/sqlite_db.hpp"

#include <sqlite3.h>

namespace sb::storage::detail {

// -- query --------------------------------------------------------------------

query::query(sqlite3_stmt* stmt, std::string what) : stmt_(stmt), what_(std::move(what)) {}

query::query(query&& other) noexcept
    : stmt_(other.stmt_), what_(std::move(other.what_)), bind_rc_(other.bind_rc_),
      error_code_(other.error_code_) {
  other.stmt_ = nullptr;
}

query::~query() {
  if (stmt_ != nullptr) {
    // The statement stays prepared in the cache; only its state is dropped.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

query& query::bind_int(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK)
    bind_rc_ = rc;
  return *this;
}

query& query::bind_double(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK)
    bind_rc_ = rc;
  return *this;
}

query& query::bind_text(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so a temporary string may be bound.
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK)
    bind_rc_ = rc;
  return *this;
}

error query::fail(int rc) const {
  sqlite3* db = sqlite3_db_handle(stmt_);
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return error{"sqlite", what_ + ": " + msg};
}

result<bool> query::step() {
  if (bind_rc_ != SQLITE_OK) {
    error_code_ = bind_rc_;
    return error{"sqlite", what_ + ": bind: " + sqlite3_errstr(bind_rc_)};
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  error_code_ = sqlite3_extended_errcode(sqlite3_db_handle(stmt_));
  return fail(rc);
}

status query::run() {
  for (;;) {
    auto r = step();
    if (!r)
      return r.err();
    if (!*r)
      return ok_status();
  }
}

int64_t query::int_at(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double query::double_at(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string query::text_at(int column) const {
  auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr)
    return {};
  // column_bytes after column_text: the length of the UTF-8 form just read.
  auto n = static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
  return std::string(reinterpret_cast<const char*>(text), n);
}

// -- database -----------------------------------------------------------------

database::database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

database::~database() {
  for (auto& [sql, stmt] : cache_)
    sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

result<std::unique_ptr<database>> database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    // Even a failed open may allocate a handle, which must be closed.
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return error{"sqlite", path + ": " + msg};
  }
  std::unique_ptr<database> db(new database(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  // busy_timeout first, so that switching to WAL waits for other writers.
  // The first statement is also where SQLite first reads the file: a
  // directory or a non-database file fails here, not at open.
  for (const char* pragma :
       {"PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"}) {
    if (auto s = db->exec(pragma, path); !s)
      return s.err();
  }
  // journal_mode answers with the mode in force, which is not WAL when the
  // file system cannot do WAL ("memory" for an in-memory database).
  auto q = db->prepare("PRAGMA journal_mode=WAL", path);
  if (!q)
    return q.err();
  auto row = q->step();
  if (!row)
    return row.err();
  std::string mode = *row ? q->text_at(0) : "";
  if (mode != "wal" && mode != "memory")
    return error{"sqlite", path + ": cannot enable WAL journal mode (got '" + mode + "')"};
  return db;
}

status database::exec(std::string_view sql, std::string_view what) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &msg);
  if (rc == SQLITE_OK)
    return ok_status();
  std::string text = msg != nullptr ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return error{"sqlite", std::string(what) + ": " + text};
}

result<query> database::prepare(std::string_view sql, std::string_view what) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end())
    return query(it->second, std::string(what));
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK || stmt == nullptr) {
    sqlite3_finalize(stmt);
    return fail(what);
  }
  cache_.emplace(std::move(key), stmt);
  return query(stmt, std::string(what));
}

error database::fail(std::string_view what) const {
  return error{"sqlite", std::string(what) + ": " + sqlite3_errmsg(db_)};
}

int64_t database::changes() const {
  return sqlite3_changes64(db_);
}

bool database::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

// -- transaction --------------------------------------------------------------

status transaction::begin() {
  auto q = db_.prepare("BEGIN IMMEDIATE", "begin transaction");
  if (!q)
    return q.err();
  if (auto s = q->run(); !s)
    return s;
  open_ = true;
  return ok_status();
}

status transaction::commit() {
  auto q = db_.prepare("COMMIT", "commit");
  if (!q)
    return q.err();
  if (auto s = q->run(); !s)
    return s; // still open: the destructor rolls back
  open_ = false;
  return ok_status();
}

transaction::~transaction() {
  // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) already rolled back; a
  // second ROLLBACK would only fail with "no transaction is active".
  if (open_ && db_.in_transaction()) {
    if (auto q = db_.prepare("ROLLBACK", "rollback"))
      (void)q->run();
  }
}

} // namespace sb::storage::detail
