#include "actors/storage_actor.hpp"

#include "actors/messages.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>

namespace sb::actors {

namespace {

struct storage_state {
  std::shared_ptr<storage::store> db;
  static inline const char* name = "storage";
};

caf::error fail(const sb::error& e) {
  log::error("Storage", e.message);
  return caf::make_error(caf::sec::runtime_error, e.message);
}

caf::behavior storage_actor(caf::stateful_actor<storage_state>* self,
                            std::shared_ptr<storage::store> db) {
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
    [&st](find_tenant& q) -> caf::result<std::optional<storage::tenant>> {
      auto r = st.db->find_tenant(q.number);
      if (!r) return fail(r.err());
      return std::move(*r);
    },
    [&st](begin_call& q) -> caf::result<ack_atom> {
      if (auto r = st.db->begin_call(q.call); !r) return fail(r.err());
      return ack_atom::value;
    },
    [&st](append_turn& q) -> caf::result<ack_atom> {
      if (auto r = st.db->append_turn(q.turn); !r) return fail(r.err());
      return ack_atom::value;
    },
    [&st](set_recording& q) -> caf::result<ack_atom> {
      if (auto r = st.db->set_recording(q.call_sid, q.url, q.duration_s); !r)
        return fail(r.err());
      return ack_atom::value;
    },
    [&st](finalize_call& q) -> caf::result<int64_t> {
      auto r = st.db->finalize_call(q.call, q.job, q.push_url, q.push_body);
      if (!r) return fail(r.err());
      return *r;
    },
    [&st](jobs_on_day& q) -> caf::result<std::vector<storage::job>> {
      auto r = st.db->jobs_on(q.tenant_number, q.date);
      if (!r) return fail(r.err());
      return std::move(*r);
    },
    [&st](due_notifications& q) -> caf::result<std::vector<storage::outbox_entry>> {
      auto r = st.db->due_notifications(q.now_ms, q.limit);
      if (!r) return fail(r.err());
      return std::move(*r);
    },
    [&st](notification_delivered& q) -> caf::result<ack_atom> {
      if (auto r = st.db->mark_delivered(q.id, now_ms()); !r) return fail(r.err());
      return ack_atom::value;
    },
    [self](shutdown_atom) { self->quit(); },
    [&st](notification_failed& q) -> caf::result<ack_atom> {
      if (auto r = st.db->mark_failed(q.id, q.attempts, q.next_attempt_at_ms, q.error, q.give_up);
          !r)
        return fail(r.err());
      return ack_atom::value;
    },
  };
}

} // namespace

caf::actor spawn_storage(caf::actor_system& sys, std::shared_ptr<storage::store> db) {
  return sys.spawn<caf::detached>(storage_actor, std::move(db));
}

} // namespace sb::actors
