#pragma once
// Internal to storage/: the SQLite backend of storage/db.hpp, a thin RAII
// layer over the SQLite C API. Every failure is returned as
// error{"sqlite", "<what>: <sqlite3_errmsg>"}.

#include "storage/db.hpp"

#include <unordered_map>

struct sqlite3;

namespace sb::storage::detail {

/// One connection with its statement cache.
class sqlite_database final : public database {
public:
  /// Opens (creating if needed) and applies the connection pragmas: WAL,
  /// foreign keys, a busy timeout, synchronous=NORMAL.
  static result<std::unique_ptr<database>> open(const std::string& path);
  ~sqlite_database() override;

  dialect kind() const override { return dialect::sqlite; }
  status exec(std::string_view sql, std::string_view what) override;
  result<query> prepare(std::string_view sql, std::string_view what) override;
  int64_t changes() const override;
  bool in_transaction() const override;
  /// BEGIN IMMEDIATE takes the write lock up front, so a second writer
  /// waits on the busy timeout instead of failing with SQLITE_BUSY half-way.
  status begin() override;
  status commit() override;
  void rollback() override;
  /// PRAGMA user_version: it lives in the file header, which is part of the
  /// transaction, so the bump commits or rolls back with the script.
  result<int> schema_version() override;
  std::string set_schema_version_sql(int version) const override;
  const std::string& path() const override { return path_; }

private:
  sqlite_database(sqlite3* db, std::string path);
  status run(std::string_view sql, std::string_view what);

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<statement>> cache_;
};

} // namespace sb::storage::detail
