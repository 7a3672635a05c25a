// The storage actor's behaviour table: each message a read or a write of
// the store (actors/storage_state.hpp for the write path).
#include "actors/storage_actor.hpp"

#include "actors/storage_state.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/booking.hpp"
#include "recording/retention.hpp"

#include <caf/all.hpp>

namespace sb::actors {

namespace {

using namespace detail;
using self_ptr = storage_ptr;

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
