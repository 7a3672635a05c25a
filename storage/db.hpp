#pragma once
// Internal to storage/: the database layer the store is written against,
// with one implementation per backend (sqlite_db.*, pg_db.*). Statements
// are prepared once per connection and cached (TDLib SqliteKeyValue); a
// `query` resets its statement when it goes out of scope, so the next user
// always finds it fresh. A `transaction` rolls back in its destructor unless
// committed (SQLiteCpp Transaction). Failures are returned as
// error{"sqlite"|"postgres", "<what>: <the backend's message>"}.
//
// SQL is written once, in the subset both dialects read (`?N` parameters,
// ON CONFLICT upserts, CASE rather than iif); `database::pick` chooses a
// per-dialect text only where the SQL must differ (migrations, dates).

#include "common/result.hpp"
#include "storage/location.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sb::storage::detail {

enum class dialect { sqlite, postgres };

/// One prepared statement of a backend, owned by its connection's cache.
class statement {
public:
  virtual ~statement() = default;
  /// Parameters are 1-based. A bind failure is reported by the next step().
  virtual void bind_int(int index, int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  /// true: a row is ready to read; false: the statement is done.
  virtual result<bool> step(const std::string& what) = 0;
  /// Columns are 0-based. NULL reads as 0 / "".
  virtual int64_t int_at(int column) const = 0;
  virtual double double_at(int column) const = 0;
  virtual std::string text_at(int column) const = 0;
  /// The last failed step broke a UNIQUE constraint.
  virtual bool unique_violation() const = 0;
  /// Drops the bindings and the current result; the statement stays prepared.
  virtual void reset() = 0;
};

/// One use of a cached prepared statement: bind, step, read columns.
class query {
public:
  query(statement* stmt, std::string what) : stmt_(stmt), what_(std::move(what)) {}
  query(query&& other) noexcept : stmt_(other.stmt_), what_(std::move(other.what_)) {
    other.stmt_ = nullptr;
  }
  query& operator=(query&&) = delete;
  query(const query&) = delete;
  ~query() {
    if (stmt_ != nullptr)
      stmt_->reset();
  }

  query& bind_int(int index, int64_t value) {
    stmt_->bind_int(index, value);
    return *this;
  }
  query& bind_double(int index, double value) {
    stmt_->bind_double(index, value);
    return *this;
  }
  query& bind_text(int index, std::string_view value) {
    stmt_->bind_text(index, value);
    return *this;
  }

  result<bool> step() { return stmt_->step(what_); }
  /// Steps to completion, for statements that return no rows.
  status run();

  int64_t int_at(int column) const { return stmt_->int_at(column); }
  double double_at(int column) const { return stmt_->double_at(column); }
  std::string text_at(int column) const { return stmt_->text_at(column); }
  bool unique_violation() const { return stmt_->unique_violation(); }

private:
  statement* stmt_;
  std::string what_;
};

/// One connection with its statement cache.
class database {
public:
  virtual ~database() = default;
  database() = default;
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  virtual dialect kind() const = 0;
  /// Runs a script of statements that return nothing worth reading.
  virtual status exec(std::string_view sql, std::string_view what) = 0;
  /// The cached statement for `sql`, prepared on first use.
  virtual result<query> prepare(std::string_view sql, std::string_view what) = 0;
  /// Rows changed by the last INSERT, UPDATE or DELETE.
  virtual int64_t changes() const = 0;
  virtual bool in_transaction() const = 0;
  /// Transaction control, as `transaction` uses it.
  virtual status begin() = 0;
  virtual status commit() = 0;
  virtual void rollback() = 0;
  /// The schema version stored in the database (0: empty), and the
  /// statement that records a new one inside a migration's transaction.
  virtual result<int> schema_version() = 0;
  virtual std::string set_schema_version_sql(int version) const = 0;
  /// What error messages name: the file, or the URL without its password.
  virtual const std::string& path() const = 0;

  /// `sqlite` or `postgres`, as this connection's dialect needs.
  std::string_view pick(std::string_view sqlite, std::string_view postgres) const {
    return kind() == dialect::sqlite ? sqlite : postgres;
  }
};

/// The first column of the first row of `sql` as an integer, 0 for no row.
result<int64_t> first_int(database& db, std::string_view sql, std::string_view what);

/// PostgreSQL for a URL (storage/location.hpp is_postgres_url), else SQLite.
result<std::unique_ptr<database>> open_database(const std::string& location);

/// BEGIN ... COMMIT; ROLLBACK in the destructor unless committed.
class transaction {
public:
  explicit transaction(database& db) : db_(db) {}
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

  status begin();
  status commit();

private:
  database& db_;
  bool open_ = false;
};

} // namespace sb::storage::detail
