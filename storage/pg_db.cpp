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

class pg_statement final : public statement {
public:
  pg_statement(pg_database& db, pg_conn* conn, std::string name, std::string sql, int params)
      : db_(db), conn_(conn), name_(std::move(name)), sql_(std::move(sql)),
        values_(static_cast<size_t>(params)), types_(static_cast<size_t>(params), 0),
        null_(static_cast<size_t>(params), true) {}
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
    // Prepared on first execution, with the types bound then; again if a
    // later use binds other types.
    if (!prepared_ || types_ != prepared_types_) {
      if (prepared_) {
        PQclear(PQexec(conn_, ("DEALLOCATE " + name_).c_str()));
        prepared_ = false;
      }
      PGresult* p = PQprepare(conn_, name_.c_str(), sql_.c_str(), static_cast<int>(types_.size()),
                              types_.data());
      bool ok = PQresultStatus(p) == PGRES_COMMAND_OK;
      std::string msg = ok ? "" : message_of(p, conn_);
      PQclear(p);
      if (!ok)
        return error{"postgres", what + ": " + msg};
      prepared_ = true;
      prepared_types_ = types_;
    }
    std::vector<const char*> params(values_.size());
    for (size_t i = 0; i < values_.size(); ++i)
      params[i] = null_[i] ? nullptr : values_[i].c_str();
    res_ = PQexecPrepared(conn_, name_.c_str(), static_cast<int>(params.size()), params.data(),
                          nullptr, nullptr, 0);
    auto st = PQresultStatus(res_);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      const char* code = PQresultErrorField(res_, PG_DIAG_SQLSTATE);
      sqlstate_ = code != nullptr ? code : "";
      std::string msg = message_of(res_, conn_);
      PQclear(res_);
      res_ = nullptr;
      return error{"postgres", what + ": " + msg};
    }
    const char* n = PQcmdTuples(res_);
    db_.set_changes(n != nullptr && n[0] != '\0' ? std::strtoll(n, nullptr, 10) : 0);
    row_ = -1;
    return ok_status();
  }

  pg_database& db_;
  pg_conn* conn_;
  std::string name_;
  std::string sql_;
  std::vector<std::string> values_;
  std::vector<Oid> types_;
  std::vector<bool> null_;
  std::vector<Oid> prepared_types_;
  bool prepared_ = false;
  PGresult* res_ = nullptr;
  int row_ = -1;
  std::string bad_bind_;
  std::string sqlstate_;
};

/// libpq prints NOTICEs to stderr by default; the store has nothing to say
/// about "relation already exists, skipping".
void drop_notice(void*, const char*) {}

} // namespace

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
    std::string msg = message_of(nullptr, conn);
    PQfinish(conn);
    return error{"postgres", shown + ": " + msg};
  }
  PQsetNoticeProcessor(conn, drop_notice, nullptr);
  std::unique_ptr<pg_database> db(new pg_database(conn, shown));
  // The store keeps times as epoch milliseconds; UTC only matters to the
  // report's date buckets, which say AT TIME ZONE 'UTC' anyway.
  if (auto s = db->exec("SET TIME ZONE 'UTC'", shown); !s)
    return s.err();
  return std::unique_ptr<database>(std::move(db));
}

status pg_database::exec(std::string_view sql, std::string_view what) {
  // The simple query protocol runs a script of several statements; inside
  // an open transaction they join it, outside one they form one.
  PGresult* res = PQexec(conn_, std::string(sql).c_str());
  auto st = PQresultStatus(res);
  bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
  std::string msg = ok ? "" : message_of(res, conn_);
  PQclear(res);
  if (!ok)
    return error{"postgres", std::string(what) + ": " + msg};
  return ok_status();
}

result<query> pg_database::prepare(std::string_view sql, std::string_view what) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end())
    return query(it->second.get(), std::string(what));
  int params = 0;
  std::string text = dollar_params(sql, params);
  auto& slot = cache_[std::move(key)];
  slot = std::make_unique<pg_statement>(*this, conn_, "sb" + std::to_string(++next_name_),
                                        std::move(text), params);
  return query(slot.get(), std::string(what));
}

bool pg_database::in_transaction() const {
  auto st = PQtransactionStatus(conn_);
  return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

status pg_database::begin() {
  return exec("BEGIN", "begin transaction");
}

status pg_database::commit() {
  // COMMIT of a transaction that failed answers ROLLBACK without an error
  // status: check that it committed.
  PGresult* res = PQexec(conn_, "COMMIT");
  bool ok =
      PQresultStatus(res) == PGRES_COMMAND_OK && std::string_view(PQcmdStatus(res)) == "COMMIT";
  std::string msg = ok ? "" : message_of(res, conn_);
  PQclear(res);
  if (!ok)
    return error{"postgres", "commit: " + (msg.empty() ? std::string("rolled back") : msg)};
  return ok_status();
}

void pg_database::rollback() {
  (void)exec("ROLLBACK", "rollback");
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
