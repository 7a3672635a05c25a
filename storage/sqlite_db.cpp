#include "storage/sqlite_db.hpp"

#include <sqlite3.h>

namespace sb::storage::detail {

namespace {

class sqlite_statement final : public statement {
public:
  explicit sqlite_statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~sqlite_statement() override { sqlite3_finalize(stmt_); }

  void bind_int(int index, int64_t value) override {
    keep(sqlite3_bind_int64(stmt_, index, value));
  }
  void bind_double(int index, double value) override {
    keep(sqlite3_bind_double(stmt_, index, value));
  }
  void bind_text(int index, std::string_view value) override {
    // SQLITE_TRANSIENT: SQLite copies, so a temporary string may be bound.
    keep(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                             SQLITE_UTF8));
  }

  result<bool> step(const std::string& what) override {
    if (bind_rc_ != SQLITE_OK) {
      error_code_ = bind_rc_;
      return error{"sqlite", what + ": bind: " + sqlite3_errstr(bind_rc_)};
    }
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
      return true;
    if (rc == SQLITE_DONE)
      return false;
    sqlite3* db = sqlite3_db_handle(stmt_);
    error_code_ = sqlite3_extended_errcode(db);
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return error{"sqlite", what + ": " + msg};
  }

  int64_t int_at(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double double_at(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string text_at(int column) const override {
    auto* text = sqlite3_column_text(stmt_, column);
    if (text == nullptr)
      return {};
    // column_bytes after column_text: the length of the UTF-8 form just read.
    auto n = static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
    return std::string(reinterpret_cast<const char*>(text), n);
  }
  bool unique_violation() const override { return error_code_ == SQLITE_CONSTRAINT_UNIQUE; }

  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    bind_rc_ = SQLITE_OK;
    error_code_ = 0;
  }

private:
  void keep(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK)
      bind_rc_ = rc;
  }

  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
  int error_code_ = 0;
};

} // namespace

sqlite_database::sqlite_database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

sqlite_database::~sqlite_database() {
  cache_.clear(); // finalize every statement before closing
  sqlite3_close(db_);
}

result<std::unique_ptr<database>> sqlite_database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    // Even a failed open may allocate a handle, which must be closed.
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return error{"sqlite", path + ": " + msg};
  }
  std::unique_ptr<sqlite_database> db(new sqlite_database(raw, path));
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
  std::string mode;
  {
    auto q = db->prepare("PRAGMA journal_mode=WAL", path);
    if (!q)
      return q.err();
    auto row = q->step();
    if (!row)
      return row.err();
    mode = *row ? q->text_at(0) : "";
  }
  if (mode != "wal" && mode != "memory")
    return error{"sqlite", path + ": cannot enable WAL journal mode (got '" + mode + "')"};
  return std::unique_ptr<database>(std::move(db));
}

status sqlite_database::exec(std::string_view sql, std::string_view what) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &msg);
  if (rc == SQLITE_OK)
    return ok_status();
  std::string text = msg != nullptr ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return error{"sqlite", std::string(what) + ": " + text};
}

result<query> sqlite_database::prepare(std::string_view sql, std::string_view what) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end())
    return query(it->second.get(), std::string(what));
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK || stmt == nullptr) {
    sqlite3_finalize(stmt);
    return error{"sqlite", std::string(what) + ": " + sqlite3_errmsg(db_)};
  }
  auto& slot = cache_[std::move(key)];
  slot = std::make_unique<sqlite_statement>(stmt);
  return query(slot.get(), std::string(what));
}

int64_t sqlite_database::changes() const {
  return sqlite3_changes64(db_);
}

bool sqlite_database::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

status sqlite_database::run(std::string_view sql, std::string_view what) {
  auto q = prepare(sql, what);
  if (!q)
    return q.err();
  return q->run();
}

status sqlite_database::begin() {
  return run("BEGIN IMMEDIATE", "begin transaction");
}

status sqlite_database::commit() {
  return run("COMMIT", "commit");
}

void sqlite_database::rollback() {
  (void)run("ROLLBACK", "rollback");
}

result<int> sqlite_database::schema_version() {
  auto v = first_int(*this, "PRAGMA user_version", path_ + ": read user_version");
  if (!v)
    return v.err();
  return static_cast<int>(*v);
}

std::string sqlite_database::set_schema_version_sql(int version) const {
  return "PRAGMA user_version = " + std::to_string(version) + ";";
}

} // namespace sb::storage::detail
