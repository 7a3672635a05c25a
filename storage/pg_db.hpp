#pragma once
// Internal to storage/: the PostgreSQL backend of storage/db.hpp, over
// libpq. Statements keep the store's `?N` text and are rewritten to `$N`
// once, when first prepared (PQprepare) with the parameter types of their
// first bindings (bigint, double precision, text), so that an expression
// like `?3 <> 0` is typed as the value bound, not guessed. Values travel as
// text (PQexecPrepared). Every failure is returned as
// error{"postgres", "<what>: <the server's message> [SQLSTATE xxxxx]"}
// (08006 for a connection libpq found broken); the URL in messages
// never shows its password (libpq also takes it from PGPASSWORD).
//
// A lost connection is re-established on the next use (PQreset), its
// statements prepared again; a statement or script that failed on the lost
// connection outside a transaction is tried once more on the new one.
// Inside a transaction the failure stands: the caller's transaction is
// gone, and its write is the write queue's to retry (08006 is transient).

#include "storage/db.hpp"

#include <unordered_map>

struct pg_conn;

namespace sb::storage::detail {

class pg_database final : public database {
public:
  /// Connects to `url` (postgresql://...).
  static result<std::unique_ptr<database>> open(const std::string& url);
  ~pg_database() override;

  dialect kind() const override { return dialect::postgres; }
  status exec(std::string_view sql, std::string_view what) override;
  result<query> prepare(std::string_view sql, std::string_view what) override;
  int64_t changes() const override { return changes_; }
  bool in_transaction() const override;
  status begin() override;
  status commit() override;
  void rollback() override;
  /// A one-row table schema_version, made on first use.
  result<int> schema_version() override;
  std::string set_schema_version_sql(int version) const override;
  const std::string& path() const override { return shown_; }

  /// Called by a statement after each execution.
  void set_changes(int64_t n) { changes_ = n; }

  /// For statements: the connection, re-established first if it was lost
  /// outside a transaction (an error inside one: the transaction is gone).
  status usable(const std::string& what);
  /// A new connection with the same parameters (PQreset).
  status reconnect();
  pg_conn* conn() const { return conn_; }
  /// Counts the connections: a statement prepared on an older one is
  /// prepared again.
  int generation() const { return generation_; }

private:
  pg_database(pg_conn* conn, std::string shown);
  status session_settings();
  status exec_once(std::string_view sql, std::string_view what);

  pg_conn* conn_;
  bool tx_open_ = false; ///< between begin() and commit()/rollback()
  int generation_ = 0;
  std::string shown_;
  int64_t changes_ = 0;
  int next_name_ = 0;
  std::unordered_map<std::string, std::unique_ptr<statement>> cache_;
};

/// The password in `url` (conninfo or URI), "" if none. For a URL libpq
/// cannot parse (its message may quote the password as written): the user
/// info's text after ':'.
std::string password_of(const std::string& url);
/// `msg` with every occurrence of `password` (if not empty) as "***".
std::string hide_password(std::string msg, const std::string& password);
/// `url` with its password (if any) replaced by "***".
std::string redact_url(const std::string& url);
/// The store's `?N` / `?` placeholders as PostgreSQL's `$N`, outside quotes;
/// `count` receives the highest parameter number.
std::string dollar_params(std::string_view sql, int& count);

} // namespace sb::storage::detail
