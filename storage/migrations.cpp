#include "storage/migrations.hpp"

#include "storage/db.hpp"
#include "storage/store.hpp"

#include <string>

namespace sb::storage {

namespace {

// v1: the core tables. Times are milliseconds since the Unix epoch, 0 for
// "not yet". transcript_turns has no foreign key to calls on purpose: turns
// are written while the call runs, and the call row may not exist yet (it is
// created at the webhook, which can race the media stream, and finalized at
// the end).
constexpr std::string_view v1 = R"sql(
CREATE TABLE tenants (
  id         INTEGER PRIMARY KEY,
  number     TEXT NOT NULL UNIQUE CHECK (number <> ''),
  name       TEXT NOT NULL,
  greeting   TEXT NOT NULL DEFAULT '',
  context    TEXT NOT NULL DEFAULT '',
  timezone   TEXT NOT NULL DEFAULT 'UTC',
  language   TEXT NOT NULL DEFAULT 'en',
  voice      TEXT NOT NULL DEFAULT '',
  push_url   TEXT NOT NULL DEFAULT '',
  hours      TEXT NOT NULL DEFAULT 'mon-fri 08:00-17:00',
  created_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE calls (
  call_sid             TEXT PRIMARY KEY CHECK (call_sid <> ''),
  account_sid          TEXT NOT NULL DEFAULT '',
  tenant_number        TEXT NOT NULL DEFAULT '',
  from_number          TEXT NOT NULL DEFAULT '',
  to_number            TEXT NOT NULL DEFAULT '',
  started_at           INTEGER NOT NULL DEFAULT 0,
  answered_at          INTEGER NOT NULL DEFAULT 0,
  ended_at             INTEGER NOT NULL DEFAULT 0,
  status               TEXT NOT NULL DEFAULT 'ringing',
  end_reason           TEXT NOT NULL DEFAULT '',
  recording_url        TEXT NOT NULL DEFAULT '',
  recording_duration_s INTEGER NOT NULL DEFAULT 0,
  tokens_input_text    INTEGER NOT NULL DEFAULT 0,
  tokens_input_audio   INTEGER NOT NULL DEFAULT 0,
  tokens_input_cached  INTEGER NOT NULL DEFAULT 0,
  tokens_output_text   INTEGER NOT NULL DEFAULT 0,
  tokens_output_audio  INTEGER NOT NULL DEFAULT 0,
  openai_reconnects    INTEGER NOT NULL DEFAULT 0,
  barge_ins            INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE transcript_turns (
  id                INTEGER PRIMARY KEY,
  call_sid          TEXT NOT NULL CHECK (call_sid <> ''),
  seq               INTEGER NOT NULL,
  role              TEXT NOT NULL,
  text              TEXT NOT NULL DEFAULT '',
  started_at        INTEGER NOT NULL DEFAULT 0,
  ended_at          INTEGER NOT NULL DEFAULT 0,
  truncated         INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
  latency_ms        INTEGER NOT NULL DEFAULT -1,
  bridge_latency_ms INTEGER NOT NULL DEFAULT -1,
  UNIQUE (call_sid, seq)
);
CREATE TABLE jobs (
  id             INTEGER PRIMARY KEY,
  call_sid       TEXT NOT NULL UNIQUE REFERENCES calls(call_sid) ON DELETE CASCADE,
  tenant_number  TEXT NOT NULL DEFAULT '',
  caller         TEXT NOT NULL DEFAULT '',
  customer_name  TEXT NOT NULL DEFAULT '',
  callback_phone TEXT NOT NULL DEFAULT '',
  service        TEXT NOT NULL DEFAULT '',
  address        TEXT NOT NULL DEFAULT '',
  preferred_date TEXT NOT NULL DEFAULT '',
  preferred_time TEXT NOT NULL DEFAULT '',
  urgency        TEXT NOT NULL DEFAULT '',
  notes          TEXT NOT NULL DEFAULT '',
  status         TEXT NOT NULL DEFAULT 'new',
  summary        TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL DEFAULT 0
);
)sql";

// v2: push notifications (delivered at least once by the notifier, retried
// with backoff) and the indexes the listings and check_availability use.
constexpr std::string_view v2 = R"sql(
CREATE TABLE notification_outbox (
  id              INTEGER PRIMARY KEY,
  job_id          INTEGER REFERENCES jobs(id) ON DELETE CASCADE,
  url             TEXT NOT NULL CHECK (url <> ''),
  body            TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  delivered_at    INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  gave_up         INTEGER NOT NULL DEFAULT 0 CHECK (gave_up IN (0, 1)),
  created_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON notification_outbox(next_attempt_at)
  WHERE delivered_at = 0 AND gave_up = 0;
CREATE INDEX jobs_tenant_date ON jobs(tenant_number, preferred_date);
CREATE INDEX jobs_created ON jobs(created_at);
CREATE INDEX calls_started ON calls(started_at);
)sql";

// v3: per-tenant call limits (actors/admission.hpp); 0 takes config [limits].
constexpr std::string_view v3 = R"sql(
ALTER TABLE tenants ADD COLUMN max_concurrent INTEGER NOT NULL DEFAULT 0
  CHECK (max_concurrent >= 0);
ALTER TABLE tenants ADD COLUMN calls_per_minute INTEGER NOT NULL DEFAULT 0
  CHECK (calls_per_minute >= 0);
)sql";

// v4: a job card can be a voicemail: its kind and the recording.
constexpr std::string_view v4 = R"sql(
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'call';
ALTER TABLE jobs ADD COLUMN recording_url TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN recording_duration_s INTEGER NOT NULL DEFAULT 0;
)sql";

// v5: truthful records (issue 18). A turn keeps both texts: `text` is what
// the caller heard (a barge-in cuts it), `full_text` what was generated;
// older uncut turns get their text as full_text, older cut ones lost theirs
// (''). The call's cost is priced once from each response.done
// (receptionist/cost.hpp) and stored with the cached split it was priced
// by, on the call and on its job card.
constexpr std::string_view v5 = R"sql(
ALTER TABLE transcript_turns ADD COLUMN full_text TEXT NOT NULL DEFAULT '';
UPDATE transcript_turns SET full_text = text WHERE truncated = 0;
ALTER TABLE calls ADD COLUMN tokens_input_cached_text INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN tokens_input_cached_audio INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
)sql";

// v6: transfer to a person (issue 13). Per tenant: the number a caller is
// put through to ('' : none), whether transfers happen outside business
// hours, and the hand-over line ('' : config [transfer] message). Per call
// and job card: why it was transferred ('' : it was not; tool: <reason>,
// dtmf, operator) and how it went: dialing (Twilio accepted the <Dial>),
// then <Dial>'s DialCallStatus (completed, answered, busy, no-answer,
// failed, canceled), or refused (the REST update was refused).
constexpr std::string_view v6 = R"sql(
ALTER TABLE tenants ADD COLUMN transfer_number TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN transfer_after_hours INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN transfer_message TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN transfer_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN transfer_status TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN transfer_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN transfer_status TEXT NOT NULL DEFAULT '';
)sql";

// v7: write ahead (issue 14). Each call row names the node that runs it
// ([server] node_id), so that a server that restarts finds the calls it left
// open (no end reason) and finalizes them, server_lost. The booking details
// recorded so far are kept per call as they land (a draft, deleted when the
// job card is written), so that the card survives a crash.
constexpr std::string_view v7 = R"sql(
ALTER TABLE calls ADD COLUMN node_id TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_open ON calls(node_id) WHERE end_reason = '';
CREATE TABLE booking_drafts (
  call_sid       TEXT PRIMARY KEY CHECK (call_sid <> ''),
  customer_name  TEXT NOT NULL DEFAULT '',
  callback_phone TEXT NOT NULL DEFAULT '',
  service        TEXT NOT NULL DEFAULT '',
  address        TEXT NOT NULL DEFAULT '',
  preferred_date TEXT NOT NULL DEFAULT '',
  preferred_time TEXT NOT NULL DEFAULT '',
  urgency        TEXT NOT NULL DEFAULT '',
  notes          TEXT NOT NULL DEFAULT '',
  updated_at     INTEGER NOT NULL DEFAULT 0
);
)sql";

// v8: per-tenant timeouts (actors/call_timers.cpp; 0 takes config
// [timeouts] / [twilio]), and the call's moves to a fresh Realtime session
// before the service's 60-minute limit (actors/session_recycle.cpp).
constexpr std::string_view v8 = R"sql(
ALTER TABLE tenants ADD COLUMN max_call_ms INTEGER NOT NULL DEFAULT 0 CHECK (max_call_ms >= 0);
ALTER TABLE tenants ADD COLUMN silence_ms INTEGER NOT NULL DEFAULT 0 CHECK (silence_ms >= 0);
ALTER TABLE tenants ADD COLUMN stream_attach_ms INTEGER NOT NULL DEFAULT 0
  CHECK (stream_attach_ms >= 0);
ALTER TABLE calls ADD COLUMN openai_recycles INTEGER NOT NULL DEFAULT 0;
)sql";

// v9: A/B variants per tenant (issue 17.2). A retired variant keeps its
// row (retired_at) so its calls still report under its name; a name is
// unique among a tenant's live variants. Each call names the variant it got.
constexpr std::string_view v9 = R"sql(
CREATE TABLE tenant_variants (
  id            INTEGER PRIMARY KEY,
  tenant_number TEXT NOT NULL CHECK (tenant_number <> ''),
  name          TEXT NOT NULL CHECK (name <> ''),
  voice         TEXT NOT NULL DEFAULT '',
  greeting      TEXT NOT NULL DEFAULT '',
  instructions  TEXT NOT NULL DEFAULT '',
  weight        INTEGER NOT NULL DEFAULT 1 CHECK (weight > 0),
  created_at    INTEGER NOT NULL DEFAULT 0,
  retired_at    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tenant_variants_live ON tenant_variants(tenant_number, name)
  WHERE retired_at = 0;
ALTER TABLE calls ADD COLUMN variant TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_tenant_variant ON calls(tenant_number, variant);
)sql";

// v10: the post-call
// analysis (actors/call_analysis.cpp) on the job card, as its JSON object
// (intent, sentiment, summary); '' when none was made.
constexpr std::string_view v10 = R"sql(
ALTER TABLE jobs ADD COLUMN analysis TEXT NOT NULL DEFAULT '';
)sql";

// v11: how often a call was picked up again after its stream was lost
// (issue 14.3, actors/call_resume.hpp), on the call and on its job card.
constexpr std::string_view v11 = R"sql(
ALTER TABLE calls ADD COLUMN resumes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN resumes INTEGER NOT NULL DEFAULT 0;
)sql";

// v12: languages (issue 17.1). A tenant's `language` (v1) is its default,
// the business's own; `languages` the ones it serves, comma-separated
// ('': only the default); `greetings` one greeting per language, a line
// "code=text" each ('': the tenant's greeting for every language). The
// language a call was held in, on the call and its job card ('': unknown,
// rows from before v12).
constexpr std::string_view v12 = R"sql(
ALTER TABLE tenants ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN greetings TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN language TEXT NOT NULL DEFAULT '';
)sql";

// v13, v14 and v16 were kept for branches that needed no schema change in
// the end (the failing database, the crash demo, faults): empty, so that a
// database already at v15 or v17 keeps its numbers.
constexpr std::string_view v13 = "";
constexpr std::string_view v14 = "";

// v15: recording on our side (issue 17.3, recording/). A tenant opts in
// (`record`); a recorded call keeps its WAV file's path ('': not recorded,
// or removed by the retention sweep).
constexpr std::string_view v15 = R"sql(
ALTER TABLE tenants ADD COLUMN record INTEGER NOT NULL DEFAULT 0 CHECK (record IN (0, 1));
ALTER TABLE calls ADD COLUMN recording_file TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::string_view v16 = "";

// v17: the calendar's capacity (issue 17.6): a tenant's slot length in
// minutes (0: config tools.slot_minutes) and how many bookings one slot takes.
constexpr std::string_view v17 = R"sql(
ALTER TABLE tenants ADD COLUMN slot_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN slot_capacity INTEGER NOT NULL DEFAULT 1;
)sql";

// v18: several nodes on one database (issue 16.2, storage/store_nodes.cpp):
// each node's row, its lease renewed by its heartbeat. Times are the
// database's clock in ms since the epoch (nodes on different machines).
constexpr std::string_view v18 = R"sql(
CREATE TABLE nodes (
  node_id      TEXT PRIMARY KEY,
  public_url   TEXT NOT NULL DEFAULT '',
  started_at   INTEGER NOT NULL DEFAULT 0,
  heartbeat_at INTEGER NOT NULL DEFAULT 0,
  lease_ms     INTEGER NOT NULL DEFAULT 0
);
)sql";

// v19: the outbox delivered exactly once across nodes (issue 16.2): a node
// claims due entries for a lease (claimed_by, claimed_until in epoch ms);
// an expired claim may be taken by another node; only the claimer marks
// the outcome.
constexpr std::string_view v19 = R"sql(
ALTER TABLE notification_outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE notification_outbox ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
)sql";

// v20: the per-tenant concurrency limit held across nodes (issue 16.2,
// store::admit_call in storage/store_admission.cpp): each admission counts
// the tenant's open calls, so they get an index of their own.
constexpr std::string_view v20 = R"sql(
CREATE INDEX calls_open_by_tenant ON calls (tenant_number, node_id) WHERE end_reason = '';
)sql";

// v21: tenant changes reach every node's cache (issue 16.2,
// app/tenant_notify.hpp). PostgreSQL only (a trigger that notifies, in
// migrations_pg.cpp): SQLite has one machine and no LISTEN, so nothing.
constexpr std::string_view v21 = "";

} // namespace

const std::vector<std::string_view>& migrations() {
  static const std::vector<std::string_view> all{v1,  v2,  v3,  v4,  v5,  v6,  v7,
                                                 v8,  v9,  v10, v11, v12, v13, v14,
                                                 v15, v16, v17, v18, v19, v20, v21};
  return all;
}

int latest_schema_version() {
  return static_cast<int>(migrations().size());
}

namespace {

// The key of the session-level advisory lock that PostgreSQL nodes take
// around their migrations ("SBMIGRAT" as a bigint): two nodes starting at
// once migrate one after the other, the second finds the work done.
constexpr const char* migration_lock_key = "5999442630735446356";

/// Holds the migration lock for its lifetime (PostgreSQL only).
class migration_lock {
public:
  explicit migration_lock(detail::database& db) : db_(db) {}
  ~migration_lock() {
    if (held_)
      (void)db_.exec(std::string("SELECT pg_advisory_unlock(") + migration_lock_key + ")",
                     "migration unlock");
  }
  migration_lock(const migration_lock&) = delete;
  migration_lock& operator=(const migration_lock&) = delete;

  status take() {
    if (db_.kind() != detail::dialect::postgres)
      return ok_status(); // SQLite: each migration's transaction is exclusive already
    // pg_advisory_lock waits for the holder (docs 9.28.10 Advisory Lock Functions).
    auto s = db_.exec(std::string("SELECT pg_advisory_lock(") + migration_lock_key + ")",
                      db_.path() + ": migration lock");
    held_ = s.ok();
    return s;
  }

private:
  detail::database& db_;
  bool held_ = false;
};

} // namespace

result<int> migrate(detail::database& db) {
  migration_lock lock(db);
  if (auto s = lock.take(); !s)
    return s.err();
  auto version = db.schema_version();
  if (!version)
    return version.err();
  int v = *version;
  if (v > latest_schema_version())
    return error{"schema", db.path() + ": schema version " + std::to_string(v) +
                               " is newer than this build's " +
                               std::to_string(latest_schema_version())};
  for (; v < latest_schema_version(); ++v) {
    std::string what = db.path() + ": migration to v" + std::to_string(v + 1);
    detail::transaction tx(db);
    if (auto s = tx.begin(); !s)
      return s.err();
    // The version is recorded in the same transaction: the bump commits or
    // rolls back with the script.
    std::string script(migrations()[v]);
    if (db.kind() == detail::dialect::postgres) {
      auto pg = postgres_migrations().find(v + 1);
      if (pg == postgres_migrations().end())
        return error{"schema", what + ": this build has no PostgreSQL text for it"};
      script = pg->second;
    }
    script += "\n" + db.set_schema_version_sql(v + 1);
    if (auto s = db.exec(script, what); !s)
      return s.err();
    if (auto s = tx.commit(); !s)
      return s.err();
  }
  return v;
}

} // namespace sb::storage
