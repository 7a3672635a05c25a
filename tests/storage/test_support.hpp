#pragma once
// Test helpers for storage tests: a unique temp dir removed afterwards, the
// backend under test (SB_TEST_BACKEND: sqlite, the default, or postgres; the
// storage suites are registered once per backend in CMakeLists.txt), and raw
// SQLite access to look at (or tamper with) a database behind the store.

#include "tests/support/pg_server.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

namespace sb::test {

/// The storage tests run against PostgreSQL (SB_TEST_BACKEND=postgres).
inline bool testing_postgres() {
  const char* b = std::getenv("SB_TEST_BACKEND");
  return b != nullptr && std::string(b) == "postgres";
}

/// A Boost.Test precondition: the suite is about SQLite files, and runs in
/// the SQLite run only.
inline bool sqlite_run(unsigned long /*test id*/) {
  return !testing_postgres();
}

/// The error code of the backend under test.
inline std::string backend_error() {
  return testing_postgres() ? "postgres" : "sqlite";
}

/// A fresh directory under the system temp dir, removed with its contents.
class temp_dir {
public:
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sb-store-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

  /// Where a store under test lives: the file `name` in this dir, or under
  /// SB_TEST_BACKEND=postgres a fresh database on the binary's throwaway
  /// server (the same one for the same name, dropped with this dir).
  std::string store_location(const std::string& name) {
    if (!testing_postgres())
      return file(name);
    auto& db = databases_[name];
    if (!db)
      db = std::make_unique<pg_database>();
    return db->url();
  }

private:
  std::filesystem::path path_;
  std::map<std::string, std::unique_ptr<pg_database>> databases_;
};

/// A raw connection, for checks the store's API does not offer.
class raw_db {
public:
  explicit raw_db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK)
      throw std::runtime_error("raw open failed: " + path);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~raw_db() { sqlite3_close(db_); }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  /// Runs a script; throws (failing the test) on error.
  void exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string text = msg != nullptr ? msg : "?";
      sqlite3_free(msg);
      throw std::runtime_error("raw exec failed: " + text);
    }
  }

  /// The first column of the first row as text ("" for no row).
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("raw prepare failed: ") + sqlite3_errmsg(db_));
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return out;
  }

  int64_t integer(const std::string& sql) {
    auto t = text(sql);
    return t.empty() ? 0 : std::stoll(t);
  }

private:
  sqlite3* db_ = nullptr;
};

/// Tampers with the database behind a store from a second connection:
/// `sqlite` on a SQLite file, `postgres` on a PostgreSQL database.
inline void raw_exec(const std::string& location, const std::string& sqlite,
                     const std::string& postgres) {
  if (testing_postgres())
    pg_exec(location, postgres);
  else
    raw_db(location).exec(sqlite);
}

} // namespace sb::test
