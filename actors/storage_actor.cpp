#include "actors/storage_actor.hpp"

#include "common/log.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>

namespace sb::actors {

namespace {

struct storage_state {
  std::shared_ptr<storage::store> db;
  static inline const char* name = "storage";
};

using self_ptr = storage_actor::stateful_pointer<storage_state>;

caf::error fail(const sb::error& e) {
  log::error("Storage", e.message);
  return make_error(call_error::storage_failed, e.message);
}

/// A write's reply: stored, or the store's error.
caf::result<stored_atom> written(const status& r) {
  if (!r)
    return fail(r.err());
  return stored_atom::value;
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
      [&st](begin_call& q) { return written(st.db->begin_call(q.call)); },
      [&st](append_turn& q) { return written(st.db->append_turn(q.turn)); },
      [&st](set_recording& q) {
        return written(st.db->set_recording(q.call_sid, q.url, q.duration_s));
      },
      [&st](finalize_call& q) -> caf::result<int64_t> {
        auto r = st.db->finalize_call(q.call, q.job, q.push_url, q.push_body);
        if (!r)
          return fail(r.err());
        return *r;
      },
      [&st](jobs_on_day& q) -> caf::result<std::vector<storage::job>> {
        auto r = st.db->jobs_on(q.tenant_number, q.date);
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
      [&st](notification_delivered& q) { return written(st.db->mark_delivered(q.id, now_ms())); },
      [&st](notification_failed& q) {
        return written(
            st.db->mark_failed(q.id, q.attempts, q.next_attempt_at_ms, q.error, q.give_up));
      },
      [self](shutdown_atom) { self->quit(); },
  };
}

} // namespace

storage_actor spawn_storage(caf::actor_system& sys, std::shared_ptr<storage::store> db) {
  return sys.spawn<caf::detached>(storage_actor_fn, std::move(db));
}

} // namespace sb::actors
