#pragma once
// Internal to storage/: the PostgreSQL backend of storage/db.hpp, over
// libpq. Statements keep the store's `?N` text and are rewritten to `$N`
// once, when first prepared (PQprepare) with the parameter types of their
// first bindings (bigint, double precision, text), so that an expression
// like `?3 <> 0` is typed as the value bound, not guessed. Values travel as
// text (PQexecPrepared). Every failure is returned as
// error{"postgres", "<what>: <the server's message>"}; the URL in messages
// never shows its password (libpq also takes it from PGPASSWORD).

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

private:
  pg_database(pg_conn* conn, std::string shown);

  pg_conn* conn_;
  std::string shown_;
  int64_t changes_ = 0;
  int next_name_ = 0;
  std::unordered_map<std::string, std::unique_ptr<statement>> cache_;
};

/// `url` with its password (if any) replaced by "***".
std::string redact_url(const std::string& url);
/// The store's `?N` / `?` placeholders as PostgreSQL's `$N`, outside quotes;
/// `count` receives the highest parameter number.
std::string dollar_params(std::string_view sql, int& count);

} // namespace sb::storage::detail
