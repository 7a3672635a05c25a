#include "actors/storage_actor.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/booking.hpp"

#include <caf/all.hpp>

#include <optional>

namespace sb::actors {

namespace {

struct storage_state {
  std::shared_ptr<storage::store> db;
  health_sink_actor sink;    ///< the registry, once it has introduced itself
  bool last_write_ok = true; ///< so that only failures and recoveries are reported
  static inline const char* name = "storage";
};

using self_ptr = storage_actor::stateful_pointer<storage_state>;

caf::error fail(const sb::error& e) {
  log::error("Storage", e.message);
  return make_error(call_error::storage_failed, e.message);
}

/// Tells the health check how a write went: each failure, and the first
/// success after one. "not_found" (no such call or notification) is the store
/// answering, not failing.
void report_write(self_ptr self, const sb::error* e) {
  auto& st = self->state;
  bool ok = e == nullptr || e->code == "not_found";
  if (ok && st.last_write_ok)
    return;
  st.last_write_ok = ok;
  if (st.sink)
    self->send(st.sink, storage_write_report{ok, ok ? std::string{} : e->message});
}

/// A write's reply: stored, or the store's error.
caf::result<stored_atom> written(self_ptr self, const status& r) {
  report_write(self, r ? nullptr : &r.err());
  if (!r)
    return fail(r.err());
  return stored_atom::value;
}

/// A write that answers a value (a job id; whether the row existed).
template <class T> caf::result<T> written(self_ptr self, result<T> r) {
  report_write(self, r ? nullptr : &r.err());
  if (!r)
    return fail(r.err());
  return std::move(*r);
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

/// The calls `node_id` left open, each with its business (looked up by the
/// number the call was made to); a business removed since has no push URL.
result<std::vector<lost_call>> lost_calls(storage::store& db, const std::string& node_id) {
  auto open = db.open_calls(node_id);
  if (!open)
    return open.err();
  std::vector<lost_call> out;
  for (auto& c : *open) {
    auto t = db.find_tenant(c.tenant_number.empty() ? c.to : c.tenant_number);
    if (!t)
      return t.err();
    out.push_back({std::move(c), *t ? std::move(**t) : storage::tenant{}});
  }
  return out;
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

storage_actor::behavior_type storage_actor_fn(self_ptr self, std::shared_ptr<storage::store> db) {
  self->state.db = std::move(db);
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
  return {
      [&st](find_tenant& q) -> caf::result<tenant_lookup> {
        auto r = st.db->find_tenant(q.number);
        if (!r)
          return fail(r.err());
        if (!*r)
          return tenant_lookup{};
        return tenant_lookup{true, std::move(**r)};
      },
      [self, &st](begin_call& q) { return written(self, st.db->begin_call(q.call)); },
      [self, &st](append_turn& q) { return written(self, st.db->append_turn(q.turn)); },
      [self, &st](set_recording& q) {
        // A recording is a voicemail (only the voicemail <Record>s): its job
        // card says so, and the business gets a push with it. A callback
        // for a call this server never had stores nothing (false).
        using outcome = storage::store::recording_outcome;
        auto r = st.db->record_voicemail(q.call_sid, q.url, q.duration_s, q.live,
                                         receptionist::push_body);
        return written(self, r ? result<bool>{*r != outcome::unknown_call} : result<bool>{r.err()});
      },
      [self, &st](set_transfer_status& q) {
        // A changed card is pushed again (job.updated) with the outcome.
        using outcome = storage::store::recording_outcome;
        auto r = st.db->set_transfer_status(q.call_sid, q.dial_status, q.live,
                                            receptionist::push_update_body);
        return written(self, r ? result<bool>{*r != outcome::unknown_call} : result<bool>{r.err()});
      },
      [self, &st](finalize_call& q) -> caf::result<int64_t> {
        if (q.once)
          if (auto kept = finalized_job(st, q.call.call_sid))
            return *kept;
        return written(self, st.db->finalize_call(q.call, q.job, q.push_url, q.push_body));
      },
      [&st](load_call& q) -> caf::result<stored_call> {
        auto r = stored(*st.db, q.call_sid);
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [self, &st](save_booking_draft& q) {
        return written(self, st.db->save_booking_draft(q.call_sid, q.booking));
      },
      [self, &st](set_call_status& q) {
        return written(self, st.db->set_call_status(q.call_sid, q.status, q.answered_at_ms));
      },
      [&st](open_calls& q) -> caf::result<std::vector<lost_call>> {
        auto r = lost_calls(*st.db, q.node_id);
        if (!r)
          return fail(r.err());
        return std::move(*r);
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
        auto r = st.db->due_notifications(q.now_ms, q.limit);
        if (!r)
          return fail(r.err());
        return std::move(*r);
      },
      [&st](outbox_backlog_query&) -> caf::result<storage::outbox_backlog> {
        auto r = st.db->pending_notifications();
        if (!r)
          return fail(r.err());
        return *r;
      },
      [self, &st](notification_delivered& q) {
        return written(self, st.db->mark_delivered(q.id, now_ms()));
      },
      [self, &st](notification_failed& q) {
        return written(
            self, st.db->mark_failed(q.id, q.attempts, q.next_attempt_at_ms, q.error, q.give_up));
      },
      [&st](health_sink_atom, health_sink_actor& sink) { st.sink = std::move(sink); },
      [self](shutdown_atom) { self->quit(); },
  };
}

} // namespace

storage_actor spawn_storage(caf::actor_system& sys, std::shared_ptr<storage::store> db) {
  return sys.spawn<caf::detached>(storage_actor_fn, std::move(db));
}

} // namespace sb::actors
