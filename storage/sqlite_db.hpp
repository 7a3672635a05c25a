#pragma once
// Internal to storage/: a thin RAII layer over the SQLite C API. Statements
// are prepared once per connection and cached (TDLib SqliteKeyValue); a
// `query` resets its statement and clears its bindings when it goes out of
// scope, so the next user always finds it fresh. A `transaction` rolls back
// in its destructor unless committed (SQLiteCpp Transaction). Every failure
// is returned as error{"sqlite", "<what>: <sqlite3_errmsg>"}.

#include "common/result.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace sb::storage::detail {

/// One use of a cached prepared statement: bind, step, read columns.
class query {
public:
  query(sqlite3_stmt* stmt, std::string what);
  query(query&& other) noexcept;
  query& operator=(query&&) = delete;
  query(const query&) = delete;
  ~query();

  /// Parameters are 1-based, as in sqlite3_bind_*. A bind failure is
  /// remembered and reported by the next step().
  query& bind_int(int index, int64_t value);
  query& bind_double(int index, double value);
  query& bind_text(int index, std::string_view value);

  /// true: a row is ready to read; false: the statement is done.
  result<bool> step();
  /// Steps to completion, for statements that return no rows.
  status run();

  /// Columns are 0-based. NULL reads as 0 / "".
  int64_t int_at(int column) const;
  double double_at(int column) const;
  std::string text_at(int column) const;

  /// The (extended) result code of the last failed step, 0 if none.
  int error_code() const { return error_code_; }

private:
  error fail(int rc) const;

  sqlite3_stmt* stmt_;
  std::string what_;
  int bind_rc_ = 0;
  int error_code_ = 0;
};

/// One connection with its statement cache.
class database {
public:
  /// Opens (creating if needed) and applies the connection pragmas: WAL,
  /// foreign keys, a busy timeout, synchronous=NORMAL.
  static result<std::unique_ptr<database>> open(const std::string& path);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// Runs a script of statements that return nothing worth reading.
  status exec(std::string_view sql, std::string_view what);
  /// The cached statement for `sql`, prepared on first use.
  result<query> prepare(std::string_view sql, std::string_view what);

  /// error{"sqlite", "<what>: <sqlite3_errmsg>"} for the connection's last error.
  error fail(std::string_view what) const;
  int64_t changes() const;
  bool in_transaction() const;
  const std::string& path() const { return path_; }

private:
  database(sqlite3* db, std::string path);

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

/// BEGIN IMMEDIATE ... COMMIT; ROLLBACK in the destructor unless committed.
/// IMMEDIATE takes the write lock up front, so a second writer waits on the
/// busy timeout instead of failing with SQLITE_BUSY half-way through.
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
