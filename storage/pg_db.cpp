#include "storage/pg_db.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace sb::storage::detail {

namespace {

// Type OIDs of the parameters (PostgreSQL's src/include/catalog/pg_type.dat).
constexpr Oid int8_oid = 20;
constexpr Oid float8_oid = 701;
constexpr Oid text_oid = 25;

/// The server's message of a failed result, on one line.
std::string message_of(const PGresult* res, pg_conn* conn) {
  std::string msg = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  if (msg.empty())
    msg = PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
    msg.pop_back();
  for (auto& c : msg)
    if (c == '\n')
      c = ' ';
  return msg;
}

/// A failed result's SQLSTATE; a connection libpq found broken has none
/// (the failure is the client's): it reads as 08006 connection_failure.
std::string sqlstate_of(const PGresult* res, pg_conn* conn) {
  const char* code = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (code != nullptr && code[0] != '\0')
    return code;
  return PQstatus(conn) == CONNECTION_BAD ? "08006" : "";
}

/// "<what>: <message> [SQLSTATE xxxxx]": the code is what the write
/// queue's classify reads (actors/write_queue.cpp).
error pg_error(const std::string& what, const std::string& msg, const std::string& code) {
  return error{"postgres", what + ": " + msg + (code.empty() ? "" : " [SQLSTATE " + code + "]")};
}

class pg_statement final : public statement {
public:
  pg_statement(pg_database& db, std::string name, std::string sql, int params)
      : db_(db), name_(std::move(name)), sql_(std::move(sql)), values_(static_cast<size_t>(params)),
        types_(static_cast<size_t>(params), 0), null_(static_cast<size_t>(params), true) {}
  ~pg_statement() override { PQclear(res_); }

  void bind_int(int index, int64_t value) override { set(index, std::to_string(value), int8_oid); }
  void bind_double(int index, double value) override {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    set(index, buf, float8_oid);
  }
  void bind_text(int index, std::string_view value) override {
    // PostgreSQL's text cannot hold a NUL byte: refuse rather than cut.
    if (value.find('\0') != std::string_view::npos && bad_bind_.empty())
      bad_bind_ = "parameter " + std::to_string(index) +
                  " holds a NUL byte, which PostgreSQL text cannot store";
    set(index, std::string(value), text_oid);
  }

  result<bool> step(const std::string& what) override {
    if (!bad_bind_.empty())
      return error{"postgres", what + ": bind: " + bad_bind_};
    if (res_ == nullptr) {
      if (auto s = execute(what); !s)
        return s.err();
    }
    if (row_ + 1 < PQntuples(res_)) {
      ++row_;
      return true;
    }
    row_ = PQntuples(res_);
    return false;
  }

  int64_t int_at(int column) const override {
    if (null_at(column))
      return 0;
    const char* v = PQgetvalue(res_, row_, column);
    if (v[0] == 't') // a boolean: SQLite's comparisons are 0/1
      return 1;
    if (v[0] == 'f')
      return 0;
    return std::strtoll(v, nullptr, 10);
  }
  double double_at(int column) const override {
    return null_at(column) ? 0.0 : std::strtod(PQgetvalue(res_, row_, column), nullptr);
  }
  std::string text_at(int column) const override {
    if (null_at(column))
      return {};
    return std::string(PQgetvalue(res_, row_, column),
                       static_cast<size_t>(PQgetlength(res_, row_, column)));
  }
  bool unique_violation() const override { return sqlstate_ == "23505"; }

  void reset() override {
    PQclear(res_);
    res_ = nullptr;
    row_ = -1;
    bad_bind_.clear();
    sqlstate_.clear();
    std::fill(null_.begin(), null_.end(), true);
  }

private:
  void set(int index, std::string value, Oid type) {
    if (index < 1 || static_cast<size_t>(index) > values_.size()) {
      if (bad_bind_.empty())
        bad_bind_ = "no parameter " + std::to_string(index);
      return;
    }
    auto i = static_cast<size_t>(index - 1);
    values_[i] = std::move(value);
    types_[i] = type;
    null_[i] = false;
  }

  bool null_at(int column) const {
    return res_ == nullptr || row_ < 0 || row_ >= PQntuples(res_) || column >= PQnfields(res_) ||
           PQgetisnull(res_, row_, column) != 0;
  }

  status execute(const std::string& what) {
    auto s = execute_once(what);
    // A connection lost outside a transaction (the server restarted, a
    // proxy cut it): one new connection and one more try, so that a read
    // after an outage does not fail for the outage alone. Inside a
    // transaction the error stands (the transaction is gone).
    if (!s && sqlstate_ == "08006" && !db_.in_transaction()) {
      if (auto c = db_.reconnect(); c)
        s = execute_once(what);
    }
    return s;
  }

  status execute_once(const std::string& what) {
    if (auto c = db_.usable(what); !c)
      return c;
    pg_conn* conn = db_.conn();
    // Prepared on first execution, with the types bound then; again if a
    // later use binds other types, or on a new connection.
    if (prepared_ && prepared_on_ != db_.generation())
      prepared_ = false; // the new connection has no such statement
    else if (prepared_ && types_ != prepared_types_) {
      PQclear(PQexec(conn, ("DEALLOCATE " + name_).c_str()));
      prepared_ = false;
    }
    if (!prepared_) {
      PGresult* p = PQprepare(conn, name_.c_str(), sql_.c_str(), static_cast<int>(types_.size()),
                              types_.data());
      bool ok = PQresultStatus(p) == PGRES_COMMAND_OK;
      std::string msg = ok ? "" : message_of(p, conn);
      sqlstate_ = ok ? "" : sqlstate_of(p, conn);
      PQclear(p);
      if (!ok)
        return pg_error(what, msg, sqlstate_);
      prepared_ = true;
      prepared_on_ = db_.generation();
      prepared_types_ = types_;
    }
    std::vector<const char*> params(values_.size());
    for (size_t i = 0; i < values_.size(); ++i)
      params[i] = null_[i] ? nullptr : values_[i].c_str();
    res_ = PQexecPrepared(conn, name_.c_str(), static_cast<int>(params.size()), params.data(),
                          nullptr, nullptr, 0);
    auto st = PQresultStatus(res_);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      sqlstate_ = sqlstate_of(res_, conn);
      std::string msg = message_of(res_, conn);
      PQclear(res_);
      res_ = nullptr;
      return pg_error(what, msg, sqlstate_);
    }
    const char* n = PQcmdTuples(res_);
    db_.set_changes(n != nullptr && n[0] != '\0' ? std::strtoll(n, nullptr, 10) : 0);
    row_ = -1;
    return ok_status();
  }

  pg_database& db_;
  std::string name_;
  std::string sql_;
  std::vector<std::string> values_;
  std::vector<Oid> types_;
  std::vector<bool> null_;
  std::vector<Oid> prepared_types_;
  bool prepared_ = false;
  int prepared_on_ = 0; ///< the connection generation it was prepared on
  PGresult* res_ = nullptr;
  int row_ = -1;
  std::string bad_bind_;
  std::string sqlstate_;
};

/// libpq prints NOTICEs to stderr by default; the store has nothing to say
/// about "relation already exists, skipping".
void drop_notice(void*, const char*) {}

} // namespace

/// The password in `url` (conninfo or URI), "" if none. A URL libpq
/// cannot parse (its message may quote the password as written): the
/// user info's text after ':'.
std::string password_of(const std::string& url) {
  std::string password;
  char* err = nullptr;
  if (PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err)) {
    for (auto* o = opts; o->keyword != nullptr; ++o)
      if (std::string_view(o->keyword) == "password" && o->val != nullptr)
        password = o->val;
    PQconninfoFree(opts);
    return password;
  }
  PQfreemem(err);
  auto scheme = url.find("://");
  auto start = scheme == std::string::npos ? 0 : scheme + 3;
  auto at = url.find('@', start);
  auto colon = url.find(':', start);
  if (scheme != std::string::npos && at != std::string::npos && colon < at)
    password = url.substr(colon + 1, at - colon - 1);
  return password;
}

std::string hide_password(std::string msg, const std::string& password) {
  if (!password.empty())
    for (auto at = msg.find(password); at != std::string::npos; at = msg.find(password, at))
      msg.replace(at, password.size(), "***");
  return msg;
}

std::string redact_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos)
    return url;
  auto start = scheme + 3;
  auto at = url.find('@', start);
  auto slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at))
    return url; // no user info
  auto colon = url.find(':', start);
  if (colon == std::string::npos || colon > at)
    return url; // a user, no password
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string dollar_params(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 8);
  count = 0;
  int next = 0;
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'')
      quoted = !quoted; // '' inside a literal toggles twice
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9')
      ++j;
    int n = j > i + 1 ? std::atoi(std::string(sql.substr(i + 1, j - i - 1)).c_str()) : ++next;
    next = std::max(next, n);
    count = std::max(count, n);
    out += "$" + std::to_string(n);
    i = j - 1;
  }
  return out;
}

pg_database::pg_database(pg_conn* conn, std::string shown)
    : conn_(conn), shown_(std::move(shown)) {}

pg_database::~pg_database() {
  cache_.clear();
  PQfinish(conn_);
}

result<std::unique_ptr<database>> pg_database::open(const std::string& url) {
  std::string shown = redact_url(url);
  pg_conn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr)
    return error{"postgres", shown + ": out of memory"};
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq quotes a URL token it cannot decode, a password included.
    std::string msg = hide_password(message_of(nullptr, conn), password_of(url));
    PQfinish(conn);
    return pg_error(shown, msg, "08006");
  }
  PQsetNoticeProcessor(conn, drop_notice, nullptr);
  std::unique_ptr<pg_database> db(new pg_database(conn, shown));
  if (auto s = db->session_settings(); !s)
    return s.err();
  return std::unique_ptr<database>(std::move(db));
}

status pg_database::session_settings() {
  // The store keeps times as epoch milliseconds; UTC only matters to the
  // report's date buckets, which say AT TIME ZONE 'UTC' anyway.
  PGresult* res = PQexec(conn_, "SET TIME ZONE 'UTC'");
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  std::string msg = ok ? "" : message_of(res, conn_);
  std::string code = ok ? "" : sqlstate_of(res, conn_);
  PQclear(res);
  if (!ok)
    return pg_error(shown_ + ": session settings", msg, code);
  return ok_status();
}

status pg_database::reconnect() {
  // PQreset closes the connection and opens a new one with the same
  // parameters, on the same PGconn (libpq docs, 34.1 Database Connection
  // Control Functions); the new session has no prepared statements (the
  // generation tells each statement) and needs its settings again.
  PQreset(conn_);
  ++generation_;
  if (PQstatus(conn_) != CONNECTION_OK)
    return pg_error(shown_ + ": reconnect", message_of(nullptr, conn_), "08006");
  return session_settings();
}

status pg_database::usable(const std::string& what) {
  if (PQstatus(conn_) == CONNECTION_OK)
    return ok_status();
  if (tx_open_) // the transaction died with the connection: it must fail
    return pg_error(what, "the connection was lost inside a transaction", "08006");
  return reconnect();
}

status pg_database::exec(std::string_view sql, std::string_view what) {
  // The simple query protocol runs a script of several statements; inside
  // an open transaction they join it, outside one they form one (so one
  // more try on a new connection is as safe as the first).
  auto s = exec_once(sql, what);
  if (!s && !tx_open_ && PQstatus(conn_) == CONNECTION_BAD && reconnect())
    s = exec_once(sql, what);
  return s;
}

status pg_database::exec_once(std::string_view sql, std::string_view what) {
  if (auto c = usable(std::string(what)); !c)
    return c;
  PGresult* res = PQexec(conn_, std::string(sql).c_str());
  auto st = PQresultStatus(res);
  bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
  std::string msg = ok ? "" : message_of(res, conn_);
  std::string code = ok ? "" : sqlstate_of(res, conn_);
  PQclear(res);
  if (!ok)
    return pg_error(std::string(what), msg, code);
  return ok_status();
}

result<query> pg_database::prepare(std::string_view sql, std::string_view what) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end())
    return query(it->second.get(), std::string(what));
  int params = 0;
  std::string text = dollar_params(sql, params);
  auto& slot = cache_[std::move(key)];
  slot = std::make_unique<pg_statement>(*this, "sb" + std::to_string(++next_name_), std::move(text),
                                        params);
  return query(slot.get(), std::string(what));
}

bool pg_database::in_transaction() const {
  auto st = PQtransactionStatus(conn_);
  return tx_open_ || st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

status pg_database::begin() {
  auto s = exec("BEGIN", "begin transaction");
  tx_open_ = s.ok();
  return s;
}

status pg_database::commit() {
  tx_open_ = false;
  if (auto c = usable("commit"); !c)
    return c;
  // COMMIT of a transaction that failed answers ROLLBACK without an error
  // status: check that it committed.
  PGresult* res = PQexec(conn_, "COMMIT");
  bool ok =
      PQresultStatus(res) == PGRES_COMMAND_OK && std::string_view(PQcmdStatus(res)) == "COMMIT";
  std::string msg = ok ? "" : message_of(res, conn_);
  std::string code = ok ? "" : sqlstate_of(res, conn_);
  PQclear(res);
  if (!ok)
    return pg_error("commit", msg.empty() ? std::string("rolled back") : msg, code);
  return ok_status();
}

void pg_database::rollback() {
  tx_open_ = false;
  if (PQstatus(conn_) == CONNECTION_OK) // a lost connection took its transaction along
    (void)exec_once("ROLLBACK", "rollback");
}

result<int> pg_database::schema_version() {
  if (auto s = exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                    shown_ + ": schema_version table");
      !s)
    return s.err();
  auto v = first_int(*this, "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                     shown_ + ": read schema version");
  if (!v)
    return v.err();
  return static_cast<int>(*v);
}

std::string pg_database::set_schema_version_sql(int version) const {
  return "DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
         std::to_string(version) + ");";
}

} // namespace sb::storage::detail
