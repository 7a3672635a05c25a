#include "actors/storage_actor.hpp"

#include "actors/write_queue.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/booking.hpp"
#include "recording/retention.hpp"

#include <caf/all.hpp>

#include <map>
#include <optional>
#include <type_traits>

namespace sb::actors {

namespace {

struct storage_state {
  std::shared_ptr<storage::store> db;
  health_sink_actor sink;    ///< the registry, once it has introduced itself
  bool last_write_ok = true; ///< so that only failures and recoveries are reported
  write_queue waiting;       ///< writes refused by the environment, in order (issue 14.5)
  bool retry_scheduled = false;
  bool over_cap_logged = false;
  std::map<int64_t, int> outcome_waiting; ///< notification id -> its outcomes in `waiting`
  std::shared_ptr<metrics::switchboard_metrics> metrics;
  std::string node_id; ///< whose outbox claims these are
  std::chrono::milliseconds outbox_claim{60'000};
  static inline const char* name = "storage";
};

using self_ptr = storage_actor::stateful_pointer<storage_state>;

caf::error fail(const sb::error& e) {
  log::error("Storage", e.message);
  return make_error(call_error::storage_failed, e.message);
}

/// Tells the health check how writing goes: each failure, the writes
/// waiting, and the first success after a failure (or the queue drained).
/// "not_found" (no such call or notification) is the store answering, not
/// failing.
void report_write(self_ptr self, const sb::error* e) {
  auto& st = self->state;
  bool ok = e == nullptr || e->code == "not_found";
  auto pending = static_cast<int64_t>(st.waiting.size());
  if (st.metrics) {
    st.metrics->storage_pending_writes.set(static_cast<double>(pending));
    if (!ok)
      st.metrics->storage_write_failures.inc();
  }
  if (ok && st.last_write_ok && pending == 0)
    return;
  st.last_write_ok = ok && pending == 0;
  if (st.sink)
    self->send(st.sink, storage_write_report{ok, ok ? std::string{} : e->message, pending});
}

void schedule_retry(self_ptr self) {
  auto& st = self->state;
  if (st.retry_scheduled || st.waiting.empty())
    return;
  st.retry_scheduled = true;
  self->delayed_send(self, st.waiting.backoff(), tick_atom::value);
}

/// Logs a write given up: it was wrong, and trying it again cannot help.
void log_dropped(self_ptr self, const std::string& what, const sb::error& why) {
  log::error("Storage",
             "A write was dropped (" + what +
                 "): it failed for a reason of its own, not the database's: " + why.message);
  if (self->state.metrics)
    self->state.metrics->storage_writes_dropped.inc();
}

/// Keeps `attempt` behind the writes waiting, and says so once per outage
/// and when the queue goes over its cap (it still keeps the write: losing a
/// job card is worse than the memory it takes).
void keep(self_ptr self, std::string what, write_queue::attempt attempt) {
  auto& st = self->state;
  st.waiting.push(std::move(what), std::move(attempt));
  if (st.waiting.over_cap() && !st.over_cap_logged) {
    st.over_cap_logged = true;
    log::error("Storage", "More than " + std::to_string(st.waiting.limits().max_pending) +
                              " writes wait for the database ([storage] max_pending_writes); "
                              "they are all kept in memory until it recovers");
  }
  schedule_retry(self);
}

/// Runs `op` now, or queues it behind the writes waiting. A write refused by
/// the environment is kept and retried (its requester is answered `queued`
/// at once: nothing on the call's path waits for the database); a wrong
/// write is logged, dropped and answered with its error.
template <class T, class Op>
caf::result<T> write(self_ptr self, std::string what, Op op, T queued, int64_t outcome_of = 0) {
  auto& st = self->state;
  auto as_attempt = [op]() mutable -> status {
    auto r = op();
    if (r || r.err().code == "not_found")
      return ok_status();
    return r.err();
  };
  if (!st.waiting.empty()) {
    if (outcome_of != 0)
      ++st.outcome_waiting[outcome_of];
    keep(self, std::move(what), std::move(as_attempt));
    report_write(self, nullptr); // the count changed; still failing
    return queued;
  }
  auto r = op();
  if (r) {
    report_write(self, nullptr);
    if constexpr (std::is_same_v<T, stored_atom>)
      return stored_atom::value;
    else
      return std::move(*r);
  }
  if (r.err().code != "not_found" && classify(r.err()) == write_failure::transient) {
    log::warn("Storage", "The database refused a write (" + what + "): " + r.err().message +
                             "; it is kept in memory and retried");
    if (outcome_of != 0)
      ++st.outcome_waiting[outcome_of];
    keep(self, std::move(what), std::move(as_attempt));
    report_write(self, &r.err());
    return queued;
  }
  report_write(self, &r.err());
  if (r.err().code == "not_found")
    return fail(r.err());
  log_dropped(self, what, r.err());
  return make_error(call_error::storage_failed, r.err().message);
}

/// The retry timer: the writes waiting, in order, until one is refused again.
void retry(self_ptr self) {
  auto& st = self->state;
  st.retry_scheduled = false;
  auto before = st.waiting.size();
  auto d = st.waiting.drain();
  for (const auto& w : d.dropped)
    log_dropped(self, w.what, w.why);
  if (d.blocked_by) {
    report_write(self, &*d.blocked_by);
    schedule_retry(self);
    return;
  }
  log::info("Storage", "The database took the " + std::to_string(before) +
                           " write(s) kept in memory (" + std::to_string(d.written) + " written, " +
                           std::to_string(d.dropped.size()) + " dropped)");
  st.over_cap_logged = false;
  report_write(self, nullptr);
}

/// At shutdown: one last try; what is still refused is lost, and named.
void last_try(self_ptr self) {
  auto& st = self->state;
  if (st.waiting.empty())
    return;
  auto d = st.waiting.drain();
  for (const auto& w : d.dropped)
    log_dropped(self, w.what, w.why);
  if (!d.blocked_by)
    return;
  for (const auto& what : st.waiting.waiting())
    log::error("Storage", "Not written at shutdown, the database still refusing (" +
                              d.blocked_by->message + "): " + what);
}

/// A notification's outcome: while it waits in the queue its entry is not
/// due, so that a poll answered meanwhile (a full disk still reads) does not
/// push it a second time. The count goes down as the outcome leaves the
/// queue (written, or dropped); written at once, there is nothing to count.
template <class Op> auto outcome_write(self_ptr self, int64_t id, Op op) {
  return [self, id, op]() mutable {
    auto r = op();
    if (r || r.err().code == "not_found" || classify(r.err()) == write_failure::permanent) {
      auto& w = self->state.outcome_waiting;
      if (auto it = w.find(id); it != w.end() && --it->second == 0)
        w.erase(it);
    }
    return r;
  };
}

/// The job card of a call finalized already (its stored end reason is set),
/// for finalize_call's `once`. This actor is the only writer, one message at
/// a time: nothing can finalize the call between this read and the write.
std::optional<int64_t> finalized_job(storage_state& st, const std::string& call_sid) {
  auto call = st.db->get_call(call_sid);
  if (!call || !*call || (*call)->end_reason == end_reason::none)
    return std::nullopt;
  auto job = st.db->job_for_call(call_sid);
  if (!job || !*job)
    return std::nullopt;
  log::info("Storage", "Call " + call_sid + " was finalized already; its job card " +
                           std::to_string((*job)->id) + " stands");
  return (*job)->id;
}

/// Open calls, each with its business (looked up by the number the call
/// was made to); a business removed since has no push URL.
result<std::vector<lost_call>> with_tenants(storage::store& db,
                                            std::vector<storage::call_record> open) {
  std::vector<lost_call> out;
  for (auto& c : open) {
    auto t = db.find_tenant(c.tenant_number.empty() ? c.to : c.tenant_number);
    if (!t)
      return t.err();
    out.push_back({std::move(c), *t ? std::move(**t) : storage::tenant{}});
  }
  return out;
}

/// The calls `node_id` left open.
result<std::vector<lost_call>> lost_calls(storage::store& db, const std::string& node_id) {
  auto open = db.open_calls(node_id);
  if (!open)
    return open.err();
  return with_tenants(db, std::move(*open));
}

/// Takeover (issue 16.2): the calls claimed from a dead node, as lost_calls.
result<std::vector<lost_call>> claimed_calls(storage::store& db, const claim_calls& q) {
  auto claimed = db.claim_calls(q.dead, q.me, q.call_sid);
  if (!claimed)
    return claimed.err();
  return with_tenants(db, std::move(*claimed));
}

/// load_call's answer: the row, its turns and its booking draft.
result<stored_call> stored(storage::store& db, const std::string& call_sid) {
  auto call = db.get_call(call_sid);
  if (!call)
    return call.err();
  if (!*call)
    return stored_call{};
  auto turns = db.turns_for(call_sid);
  if (!turns)
    return turns.err();
  auto draft = db.booking_draft(call_sid);
  if (!draft)
    return draft.err();
  return stored_call{true, std::move(**call), std::move(*turns), std::move(*draft)};
}

/// The due entries, less those whose outcome waits in the queue.
std::vector<storage::outbox_entry> not_waiting(const storage_state& st,
                                               std::vector<storage::outbox_entry> due) {
  std::erase_if(due, [&](const auto& e) { return st.outcome_waiting.count(e.id) != 0; });
  return due;
}

storage_actor::behavior_type storage_actor_fn(self_ptr self, std::shared_ptr<storage::store> db,
                                              storage_actor_options opts) {
  self->state.db = std::move(db);
  self->state.waiting = write_queue{opts.retry};
  self->state.metrics = std::move(opts.metrics);
  self->state.node_id = std::move(opts.node_id);
  self->state.outbox_claim = opts.outbox_claim;
  auto& st = self->state;
  // A stray error message (e.g. a requester's timeout bounced back) must not
  // stop the only writer of the database: CAF 0.17's default quits.
  self->set_error_handler([](caf::error& e) {
    log::warn("Storage", "Ignored an error message: " + caf::to_string(e));
  });
  self->attach_functor([](const caf::error& reason) {
    if (reason && reason != caf::exit_reason::normal)
      log::error("Storage", "The storage actor stopped: " + caf::to_string(reason));
  });
  // Each write's `op` holds its message: it may run later, from the queue.
  const auto& db_ = st.db;
  return {
      [&st](find_tenant& q) -> caf::result<tenant_lookup> {
        auto r = st.db->find_tenant(q.number);
        if (!r)
          return fail(r.err());
        if (!*r)
          return tenant_lookup{};
        return tenant_lookup{true, std::move(**r)};
      },
      [self, db_](begin_call& q) {
        return write(
            self, "begin_call " + q.call.call_sid, [db_, q] { return db_->begin_call(q.call); },
            stored_atom::value);
      },
      [self, db_](append_turn& q) {
        return write(
            self, "append_turn " + q.turn.call_sid, [db_, q] { return db_->append_turn(q.turn); },
            stored_atom::value);
      },
      [self, db_](set_recording& q) {
        // A recording is a voicemail (only the voicemail <Record>s): its job
        // card says so, and the business gets a push with it. A callback
        // for a call this server never had stores nothing (false).
        auto op = [db_, q]() -> result<bool> {
          using outcome = storage::store::recording_outcome;
          auto r = db_->record_voicemail(q.call_sid, q.url, q.duration_s, q.live,
                                         receptionist::push_body);
          return r ? result<bool>{*r != outcome::unknown_call} : result<bool>{r.err()};
        };
        return write(self, "set_recording " + q.call_sid, op, true);
      },
      [self, db_](set_transfer_status& q) {
        // A changed card is pushed again (job.updated) with the outcome.
        auto op = [db_, q]() -> result<bool> {
          using outcome = storage::store::recording_outcome;
          auto r = db_->set_transfer_status(q.call_sid, q.dial_status, q.live,
                                            receptionist::push_update_body);
          return r ? result<bool>{*r != outcome::unknown_call} : result<bool>{r.err()};
        };
        return write(self, "set_transfer_status " + q.call_sid, op, true);
      },
      [self, &st](finalize_call& q) {
        // `once` is checked when the write runs, so a finalize that waits in
        // the queue still writes a call only the first time.
        auto op = [&st, q]() -> result<int64_t> {
          if (q.once)
            if (auto kept = finalized_job(st, q.call.call_sid))
              return *kept;
          return st.db->finalize_call(q.call, q.job, q.push_url, q.push_body);
        };
        return write(self, "finalize_call " + q.call.call_sid + " (call record, job card, push)",
                     op, job_card_pending);
      },
      [&st](load_call& q) -> caf::result<stored_call> {
        auto r = stored(*st.db, q.call_sid);
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [self, db_](save_booking_draft& q) {
        return write(
            self, "save_booking_draft " + q.call_sid,
            [db_, q] { return db_->save_booking_draft(q.call_sid, q.booking); },
            stored_atom::value);
      },
      [self, db_](set_call_status& q) {
        return write(
            self, "set_call_status " + q.call_sid,
            [db_, q] {
              return db_->set_call_status(q.call_sid, q.status, q.answered_at_ms, q.resumes);
            },
            true);
      },
      [self, db_](set_recording_file& q) {
        return write(
            self, "set_recording_file " + q.call_sid,
            [db_, q] { return db_->set_recording_file(q.call_sid, q.path); }, true);
      },
      [&st](sweep_recordings& q) -> caf::result<int> {
        auto r = recording::sweep(*st.db, q.retention_days, now_ms());
        if (!r)
          return fail(r.err());
        return *r;
      },
      [&st](open_calls& q) -> caf::result<std::vector<lost_call>> {
        auto r = lost_calls(*st.db, q.node_id);
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [&st](node_heartbeat& q) -> caf::result<std::vector<storage::node_info>> {
        // As for an outbox claim: while writes wait for the database, a
        // heartbeat would only wait out the same refusal on this thread
        // (SQLite's busy timeout, every lease/3). The lease then lapses, as
        // it should for a node that cannot write.
        if (!st.waiting.empty())
          return fail(error{"busy", "heartbeat skipped: writes wait for the database"});
        if (auto s = st.db->heartbeat(q.node_id, q.public_url, q.lease_ms, q.starting); !s)
          return fail(s.err());
        auto r = st.db->list_nodes();
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [&st](claim_calls& q) -> caf::result<std::vector<lost_call>> {
        auto r = claimed_calls(*st.db, q);
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [&st](cluster_admit& q) -> caf::result<cluster_admission> {
        // While writes wait for the database it is refusing them: the
        // webhook is not held up for a refusal (it falls back on this
        // node's own count, webhook_answer.hpp path 7).
        if (!st.waiting.empty())
          return fail(error{"busy", "admission of " + q.call.call_sid +
                                        " skipped: writes wait for the database"});
        auto r = st.db->admit_call(q.call, q.limit, q.lock_wait_ms);
        if (!r)
          return fail(r.err());
        using db_admission = storage::store::admission;
        return cluster_admission{*r == db_admission::admitted ? admission_verdict::admitted
                                 : *r == db_admission::already_admitted
                                     ? admission_verdict::already_admitted
                                     : admission_verdict::tenant_busy};
      },
      [&st](call_owner_query& q) -> caf::result<call_owner> {
        auto r = st.db->call_owner(q.call_sid);
        if (!r)
          return fail(r.err());
        return *r ? call_owner{true, std::move(**r)} : call_owner{};
      },
      [&st](nodes_query&) -> caf::result<std::vector<storage::node_info>> {
        auto r = st.db->list_nodes();
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [&st](cluster_query& q) -> caf::result<cluster_overview> {
        auto nodes = st.db->list_nodes();
        if (!nodes)
          return fail(nodes.err());
        auto calls = st.db->open_calls_everywhere(q.limit);
        if (!calls)
          return fail(calls.err());
        return cluster_overview{std::move(*nodes), std::move(*calls)};
      },
      [&st](jobs_on_day& q) -> caf::result<std::vector<storage::job>> {
        auto r = st.db->jobs_on(q.tenant_number, q.date);
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [&st](report_query& q) -> caf::result<std::vector<storage::report_row>> {
        auto r = st.db->report(q.tenant_number, q.weekly ? storage::report_period::week
                                                         : storage::report_period::day);
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [&st](variants_query& q) -> caf::result<variants_overview> {
        auto live = st.db->variants_of(q.tenant_number);
        if (!live)
          return fail(live.err());
        auto outcomes = st.db->variant_report(q.tenant_number);
        if (!outcomes)
          return fail(outcomes.err());
        return variants_overview{std::move(*live), std::move(*outcomes)};
      },
      [&st](tenants_query&) -> caf::result<std::vector<storage::tenant>> {
        auto r = st.db->list_tenants();
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [&st](due_notifications& q) -> caf::result<std::vector<storage::outbox_entry>> {
        // A claim is a write: while writes wait for the database it would
        // only wait out the same refusal (SQLite's busy timeout, on this
        // thread, at every poll) and its outcome could not be written
        // anyway: nothing to send until the queue drains.
        if (!st.waiting.empty())
          return std::vector<storage::outbox_entry>{};
        // Refused by the environment (a lock, the
        // server away) it is no failure of the outbox, just nothing to send
        // this time; the notifier polls again.
        auto r = st.db->claim_notifications(st.node_id, q.now_ms, st.outbox_claim.count(), q.limit);
        if (!r && classify(r.err()) == write_failure::transient) {
          log::warn("Storage", "No outbox claim this time: " + r.err().message);
          return std::vector<storage::outbox_entry>{};
        }
        if (!r)
          return fail(r.err());
        return not_waiting(st, std::move(*r));
      },
      [&st](outbox_backlog_query&) -> caf::result<storage::outbox_backlog> {
        auto r = st.db->pending_notifications();
        if (!r)
          return fail(r.err());
        return *r;
      },
      [self, db_](notification_delivered& q) {
        auto op =
            outcome_write(self, q.id, [db_, id = q.id, at = now_ms(), node = self->state.node_id] {
              return db_->mark_delivered(id, at, node);
            });
        return write(self, "notification_delivered " + std::to_string(q.id), op, stored_atom::value,
                     q.id);
      },
      [self, db_](notification_failed& q) {
        auto op = outcome_write(self, q.id, [db_, q, node = self->state.node_id] {
          return db_->mark_failed(q.id, q.attempts, q.next_attempt_at_ms, q.error, q.give_up, node);
        });
        return write(self, "notification_failed " + std::to_string(q.id), op, stored_atom::value,
                     q.id);
      },
      [self](tick_atom) { retry(self); },
      [&st](health_sink_atom, health_sink_actor& sink) { st.sink = std::move(sink); },
      [self](shutdown_atom) {
        last_try(self);
        self->quit();
      },
  };
}

} // namespace

storage_actor spawn_storage(caf::actor_system& sys, std::shared_ptr<storage::store> db,
                            storage_actor_options opts) {
  return sys.spawn<caf::detached>(storage_actor_fn, std::move(db), std::move(opts));
}

} // namespace sb::actors
