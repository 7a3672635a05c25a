// store: job cards and the notification outbox.
#include "storage/store.hpp"

#include "storage/store_impl.hpp"

#include "common/phrases.hpp"
#include "common/time.hpp"

#include <algorithm>
#include <tuple>

namespace sb::storage {

using detail::collect;
using detail::query;

namespace {

constexpr const char* job_select =
    "SELECT id, call_sid, tenant_number, caller, customer_name, callback_phone, service, "
    "address, preferred_date, preferred_time, urgency, notes, status, summary, created_at, "
    "kind, recording_url, recording_duration_s, cost_usd, transfer_reason, transfer_status, "
    "analysis, language, resumes FROM jobs ";

job read_job(const query& q) {
  job j;
  j.id = q.int_at(0);
  j.call_sid = q.text_at(1);
  j.tenant_number = q.text_at(2);
  j.caller = q.text_at(3);
  j.details.customer_name = q.text_at(4);
  j.details.callback_phone = q.text_at(5);
  j.details.service = q.text_at(6);
  j.details.address = q.text_at(7);
  j.details.preferred_date = q.text_at(8);
  j.details.preferred_time = q.text_at(9);
  j.details.urgency = q.text_at(10);
  j.details.notes = q.text_at(11);
  j.status = q.text_at(12);
  j.summary = q.text_at(13);
  j.created_at_ms = q.int_at(14);
  j.kind = q.text_at(15);
  j.recording_url = q.text_at(16);
  j.recording_duration_s = static_cast<int>(q.int_at(17));
  j.cost_usd = q.double_at(18);
  j.transfer.reason = q.text_at(19);
  j.transfer.status = q.text_at(20);
  j.analysis = q.text_at(21);
  j.language = q.text_at(22);
  j.resumes = static_cast<int>(q.int_at(23));
  return j;
}

result<std::optional<job>> first_job(result<query>& q) {
  return detail::first_row<job>(q, [](const query& r) { return read_job(r); });
}

constexpr const char* outbox_select =
    "SELECT id, url, body, attempts, next_attempt_at, delivered_at, last_error "
    "FROM notification_outbox ";

outbox_entry read_outbox(const query& q) {
  outbox_entry e;
  e.id = q.int_at(0);
  e.url = q.text_at(1);
  e.body = q.text_at(2);
  e.attempts = static_cast<int>(q.int_at(3));
  e.next_attempt_at_ms = q.int_at(4);
  e.delivered_at_ms = q.int_at(5);
  e.last_error = q.text_at(6);
  return e;
}

} // namespace

// -- jobs ---------------------------------------------------------------------

result<std::vector<job>> store::list_jobs(int limit) {
  auto q = impl_->db->prepare(
      std::string(job_select) + "ORDER BY created_at DESC, id DESC LIMIT ?1", "list jobs");
  if (!q)
    return q.err();
  q->bind_int(1, limit > 0 ? limit : detail::no_limit);
  return collect<job>(*q, read_job);
}

result<std::optional<job>> store::get_job(int64_t id) {
  auto q = impl_->db->prepare(std::string(job_select) + "WHERE id = ?1",
                              "get job " + std::to_string(id));
  if (q)
    q->bind_int(1, id);
  return first_job(q);
}

result<std::optional<job>> store::job_for_call(const std::string& call_sid) {
  auto q = impl_->db->prepare(std::string(job_select) + "WHERE call_sid = ?1",
                              "job of call " + call_sid);
  if (q)
    q->bind_text(1, call_sid);
  return first_job(q);
}

result<std::vector<job>> store::jobs_on(const std::string& tenant_number, const std::string& date) {
  // Served by the jobs_tenant_date index (migration v2).
  auto q = impl_->db->prepare(std::string(job_select) +
                                  "WHERE tenant_number = ?1 AND preferred_date = ?2"
                                  " AND preferred_time <> '' ORDER BY preferred_time, id",
                              "jobs of " + tenant_number + " on " + date);
  if (!q)
    return q.err();
  q->bind_text(1, tenant_number).bind_text(2, date);
  return collect<job>(*q, read_job);
}

// -- notification outbox ------------------------------------------------------

result<std::vector<outbox_entry>> store::due_notifications(int64_t now_ms, int limit) {
  // The WHERE matches the partial index outbox_pending (migration v2).
  auto q = impl_->db->prepare(std::string(outbox_select) +
                                  "WHERE delivered_at = 0 AND gave_up = 0 AND "
                                  "next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
                              "due notifications");
  if (!q)
    return q.err();
  q->bind_int(1, now_ms).bind_int(2, limit > 0 ? limit : detail::no_limit);
  return collect<outbox_entry>(*q, read_outbox);
}

result<std::vector<outbox_entry>>
store::claim_notifications(const std::string& node, int64_t now_ms, int64_t lease_ms, int limit) {
  // The subquery picks and (PostgreSQL) row-locks the due, unclaimed rows,
  // skipping those another node's claim locks right now; under READ
  // COMMITTED a row claimed and committed meanwhile is checked again against
  // the WHERE and drops out (PostgreSQL docs, SELECT, "The Locking Clause";
  // 13.2.1). SQLite (3.35+ for RETURNING) has no SKIP LOCKED and needs none.
  constexpr const char* pick = "SELECT id FROM notification_outbox WHERE delivered_at = 0 AND "
                               "gave_up = 0 AND next_attempt_at <= ?2 AND (claimed_until <= ?2 OR "
                               "claimed_by = ?1) "
                               "ORDER BY next_attempt_at, id LIMIT ?4";
  // A read first: nothing claimable (the usual poll) takes no write lock
  // (SQLite's UPDATE does even when no row matches, and would fight every
  // other writer at each notifier poll). The UPDATE checks again.
  {
    // Scoped: the read is reset (its SQLite read transaction ended) before
    // the UPDATE. ?3 is bound, unused, so that PostgreSQL knows its type.
    auto any = impl_->db->prepare(std::string(pick), "claimable notifications");
    if (!any)
      return any.err();
    any->bind_text(1, node).bind_int(2, now_ms).bind_int(3, 0).bind_int(4, 1);
    auto found = any->step();
    if (!found)
      return found.err();
    if (!*found)
      return std::vector<outbox_entry>{};
  }
  std::string sql = std::string("UPDATE notification_outbox SET claimed_by = ?1, claimed_until = "
                                "?2 + ?3 WHERE id IN (") +
                    pick + std::string(impl_->db->pick("", " FOR UPDATE SKIP LOCKED")) +
                    ") RETURNING id, url, body, attempts, next_attempt_at, delivered_at, "
                    "last_error";
  auto q = impl_->db->prepare(sql, "claim notifications for " + node);
  if (!q)
    return q.err();
  q->bind_text(1, node).bind_int(2, now_ms).bind_int(3, lease_ms);
  q->bind_int(4, limit > 0 ? limit : detail::no_limit);
  auto out = collect<outbox_entry>(*q, read_outbox);
  if (out) // RETURNING has no order
    std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) {
      return std::tie(a.next_attempt_at_ms, a.id) < std::tie(b.next_attempt_at_ms, b.id);
    });
  return out;
}

status store::mark_delivered(int64_t id, int64_t now_ms, const std::string& node) {
  std::string what = "mark notification " + std::to_string(id) + " delivered";
  auto q = impl_->db->prepare(
      "UPDATE notification_outbox SET delivered_at = ?2, attempts = attempts + 1, "
      "last_error = '' WHERE id = ?1 AND claimed_by = ?3",
      what);
  if (!q)
    return q.err();
  q->bind_int(1, id).bind_int(2, now_ms).bind_text(3, node);
  if (auto s = q->run(); !s)
    return s;
  if (impl_->db->changes() == 0)
    return error{"not_found", what + ": no such notification claimed by this node"};
  return ok_status();
}

status store::mark_failed(int64_t id, int attempts, int64_t next_attempt_at_ms,
                          const std::string& error_text, bool give_up, const std::string& node) {
  std::string what = "mark notification " + std::to_string(id) + " failed";
  auto q = impl_->db->prepare(
      "UPDATE notification_outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4, "
      "gave_up = ?5, claimed_by = '', claimed_until = 0 WHERE id = ?1 AND claimed_by = ?6",
      what);
  if (!q)
    return q.err();
  q->bind_int(1, id).bind_int(2, attempts).bind_int(3, next_attempt_at_ms);
  q->bind_text(4, error_text).bind_int(5, give_up ? 1 : 0).bind_text(6, node);
  if (auto s = q->run(); !s)
    return s;
  if (impl_->db->changes() == 0)
    return error{"not_found", what + ": no such notification claimed by this node"};
  return ok_status();
}

result<std::vector<outbox_entry>> store::list_outbox() {
  auto q = impl_->db->prepare(std::string(outbox_select) + "ORDER BY id", "list outbox");
  if (!q)
    return q.err();
  return collect<outbox_entry>(*q, read_outbox);
}

result<outbox_backlog> store::pending_notifications() {
  // The WHERE matches the partial index outbox_pending (migration v2).
  auto q = impl_->db->prepare("SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM "
                              "notification_outbox WHERE delivered_at = 0 AND gave_up = 0",
                              "pending notifications");
  if (!q)
    return q.err();
  auto row = q->step();
  if (!row)
    return row.err();
  outbox_backlog b;
  if (*row) {
    b.pending = static_cast<int>(q->int_at(0));
    b.oldest_created_at_ms = q->int_at(1);
  }
  return b;
}

// -- pushes for a card that changed --------------------------------------------

namespace {

status queue_push(detail::database& db, const job& j, const std::optional<tenant>& t,
                  const std::function<std::string(const job&, const tenant&)>& push_body) {
  if (!t || t->push_url.empty())
    return ok_status();
  auto out = db.prepare("INSERT INTO notification_outbox (job_id, url, body, "
                        "next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                        "queue notification for job " + std::to_string(j.id));
  if (!out)
    return out.err();
  out->bind_int(1, j.id).bind_text(2, t->push_url).bind_text(3, push_body(j, *t));
  out->bind_int(4, now_ms());
  return out->run();
}

} // namespace

// -- transfer outcome -----------------------------------------------------------

result<store::recording_outcome>
store::set_transfer_status(const std::string& call_sid, const std::string& dial_status, bool live,
                           const std::function<std::string(const job&, const tenant&)>& push_body) {
  auto& db = *impl_->db;
  detail::transaction tx(db);
  if (auto s = tx.begin(); !s)
    return s.err();
  auto q = db.prepare(
      live ? "INSERT INTO calls (call_sid, transfer_status) VALUES (?1, ?2)"
             " ON CONFLICT (call_sid) DO UPDATE SET transfer_status = excluded.transfer_status"
           : "UPDATE calls SET transfer_status = ?2 WHERE call_sid = ?1",
      "set transfer status of " + call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, call_sid).bind_text(2, dial_status);
  if (auto s = q->run(); !s)
    return s.err();
  if (db.changes() == 0)
    return recording_outcome::unknown_call; // nothing written: no call is invented
  auto card = job_for_call(call_sid);
  if (!card)
    return card.err();
  auto where = recording_outcome::on_call;
  if (*card) {
    job j = std::move(**card);
    j.transfer.status = dial_status;
    auto up = db.prepare("UPDATE jobs SET transfer_status = ?2 WHERE id = ?1",
                         "transfer status on job of " + call_sid);
    if (!up)
      return up.err();
    up->bind_int(1, j.id).bind_text(2, dial_status);
    if (auto s = up->run(); !s)
      return s.err();
    auto t = find_tenant(j.tenant_number);
    if (!t)
      return t.err();
    where = recording_outcome::on_job;
    if (auto s = queue_push(db, j, *t, push_body); !s)
      return s.err();
  }
  if (auto s = tx.commit(); !s)
    return s.err();
  return where;
}

// -- voicemail ----------------------------------------------------------------

status detail::mark_voicemail(database& db, job& j, const std::string& url, int duration_s) {
  j.kind = "voicemail";
  j.recording_url = url;
  j.recording_duration_s = duration_s;
  j.status = "needs_review";
  j.summary =
      fill_phrase(phrases_for(j.language).voicemail, {std::to_string(duration_s), j.caller});
  auto up = db.prepare("UPDATE jobs SET kind = ?2, recording_url = ?3, recording_duration_s = ?4,"
                       " status = ?5, summary = ?6 WHERE id = ?1",
                       "voicemail on job of " + j.call_sid);
  if (!up)
    return up.err();
  up->bind_int(1, j.id).bind_text(2, j.kind).bind_text(3, url).bind_int(4, duration_s);
  up->bind_text(5, j.status).bind_text(6, j.summary);
  return up->run();
}

result<store::recording_outcome>
store::record_voicemail(const std::string& call_sid, const std::string& url, int duration_s,
                        bool live,
                        const std::function<std::string(const job&, const tenant&)>& push_body) {
  auto& db = *impl_->db;
  detail::transaction tx(db);
  if (auto s = tx.begin(); !s)
    return s.err();
  auto known = set_recording(call_sid, url, duration_s, live);
  if (!known)
    return known.err();
  if (!*known) // no such call: nothing written, no card, no push
    return recording_outcome::unknown_call;
  auto card = job_for_call(call_sid);
  if (!card)
    return card.err();
  if (!*card) { // the call is not finalized yet: the recording waits on the call
    if (auto s = tx.commit(); !s)
      return s.err();
    return recording_outcome::on_call;
  }
  job j = std::move(**card);
  if (auto s = detail::mark_voicemail(db, j, url, duration_s); !s)
    return s.err();
  auto t = find_tenant(j.tenant_number);
  if (!t)
    return t.err();
  if (auto s = queue_push(db, j, *t, push_body); !s)
    return s.err();
  if (auto s = tx.commit(); !s)
    return s.err();
  return recording_outcome::on_job;
}

} // namespace sb::storage
