// The registry's behaviour table: each message handed to the file that
// holds its concern (actors/registry_state.hpp lists them).
#include "actors/call_registry.hpp"

#include "actors/registry_state.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>

namespace sb::actors {

namespace {

using namespace detail;
using self_ptr = registry_ptr;

call_registry_actor::behavior_type registry(self_ptr self, services svc) {
  self->state.svc = std::move(svc);
  self->state.svc.registry = caf::actor_cast<call_registry_actor>(self);
  self->state.health = health_watch{self->state.svc.cfg->health};
  // Storage and the notifier were spawned first: tell them where to report.
  health_sink_actor sink = self->state.svc.registry;
  if (self->state.svc.storage)
    self->send(self->state.svc.storage, health_sink_atom::value, sink);
  if (self->state.svc.notifier)
    self->send(self->state.svc.notifier, health_sink_atom::value, sink);
  self->set_down_handler([self](caf::down_msg& dm) { on_supervisor_down(self, dm); });
  recover_lost_calls(self);
  return {
      [self](inbound_call& in) { on_inbound(self, in); },
      [self](refused_call& r) { store_refused(self, std::move(r)); },
      [self](stream_arrived& s) { on_stream(self, s); },
      [self](call_snapshot& s) {
        if (self->state.calls.count(s.call_sid) != 0)
          self->state.snapshots[s.call_sid] = s;
      },
      [self](openai_observation& o) { self->state.health.on_openai(o.connected, now_ms()); },
      [self](call_next& n) {
        remember_next(self->state, n);
        answer_waiting(self);
      },
      [self](call_next_query& q) { return answer_next(self, q); },
      [self](call_lost& l) { on_call_lost(self, l); },
      [self](resume_expired_atom, const std::string& sid, int gen) {
        on_resume_expired(self, sid, gen);
      },
      [self](lease_tick_atom) { renew_lease(self); },
      [self](lease_tick_atom, int wait_id) { ask_owner_again(self, wait_id); },
      [self](storage_write_report& r) { self->state.health.on_storage(r, now_ms()); },
      [self](outbox_report& r) { self->state.health.on_outbox(r.backlog); },
      [self](recording_update& r) { return record(self, r); },
      [self](health_atom) {
        auto h = self->state.health.judge(now_ms());
        h.active_sessions = static_cast<int>(self->state.calls.size());
        return h;
      },
      [self](sessions_atom) { return sessions(self->state); },
      [self](count_atom) {
        const auto& st = self->state; // a held call is live until finalized (call_resume.cpp)
        return static_cast<int>(st.calls.size() + st.held.size()) + st.recovering;
      },
      [self](operator_hangup& h) { return hang_up(self, h); },
      [self](operator_transfer& o) { return transfer(self, o); },
      [self](transfer_ended& t) { transfer_outcome(self, t); },
      [self](shutdown_atom) { return shut_down(self); },
  };
}

} // namespace

call_registry_actor spawn_registry(caf::actor_system& sys, services svc) {
  return sys.spawn(registry, std::move(svc));
}

} // namespace sb::actors
