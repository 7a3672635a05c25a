// The registry's directory of live calls: a supervisor tracked while it
// runs its call; its end (or its death: the call recovered from the
// database); shutdown's drain, answered once the last call is written.
#include "actors/registry_state.hpp"

#include "actors/finalizer.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>

namespace sb::actors::detail {

namespace {

/// A call is over and written: shutdown waits for the last one. `live`: it
/// was counted among the active calls (a call recovered at start was not).
void call_gone(registry_ptr self, bool live) {
  auto& st = self->state;
  if (st.svc.metrics && live)
    st.svc.metrics->active_calls.dec();
  if (st.calls.empty() && st.recovering == 0) {
    for (auto& p : st.drained)
      p.deliver(drained_atom::value);
    st.drained.clear();
  }
}

} // namespace

void finalize_stored(registry_ptr self, recover_call r, bool live) {
  auto& st = self->state;
  ++st.recovering;
  auto done = [self, live] {
    --self->state.recovering;
    call_gone(self, live);
  };
  auto fin = spawn_finalizer(self, st.svc, transcript_actor{}); // its turns are stored
  self->request(fin, st.svc.cfg->call.finalize, std::move(r))
      .then([done](int64_t) { done(); }, [done](caf::error&) { done(); });
}

void track_call(registry_ptr self, const call_supervisor_actor& sup,
                const storage::call_record& call, std::string twiml,
                std::shared_ptr<const storage::tenant> tenant, uint64_t cache_stamp) {
  auto& st = self->state;
  st.calls[call.call_sid] = sup;
  st.sid_of[sup.address()] = call.call_sid;
  st.answered_calls[call.call_sid] = {std::move(twiml), std::move(tenant), call, cache_stamp};
  if (st.svc.metrics)
    st.svc.metrics->active_calls.inc();
}

namespace {

/// Its supervisor died without finalizing the call (its children died with
/// it, closing both sockets): the finalizer writes it from the database,
/// with the booking and answer time of the supervisor's last snapshot.
void recover(registry_ptr self, registry_state::answered a, const call_snapshot* last,
             const caf::error& reason) {
  auto& st = self->state;
  recover_call r{std::move(a.call), *a.tenant, {}};
  r.call.end_reason = end_reason::internal_error;
  r.call.end_detail = "call supervisor failed: " + describe(reason);
  r.call.ended_at_ms = now_ms();
  if (last) {
    r.call.answered_at_ms = last->answered_at_ms;
    r.booking = last->booking;
  }
  r.call.status = status_after(end_reason::internal_error, r.call.answered_at_ms != 0);
  log::error("RealtimeServer", "Call " + r.call.call_sid + ": " + r.call.end_detail,
             log::context{r.call.call_sid, r.tenant.name});
  if (st.svc.metrics)
    st.svc.metrics->call_ended(end_reason::internal_error);
  finalize_stored(self, std::move(r), true);
}

} // namespace

void on_supervisor_down(registry_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto it = st.sid_of.find(dm.source);
  if (it == st.sid_of.end())
    return;
  auto sid = it->second;
  if (st.svc.admission)
    st.svc.admission->release(sid);
  st.sid_of.erase(it);
  st.calls.erase(sid);
  auto answered = st.answered_calls.extract(sid);
  auto snapshot = st.snapshots.extract(sid);
  answer_waiting(self);
  if (dm.reason && dm.reason != caf::exit_reason::normal && !answered.empty())
    return recover(self, std::move(answered.mapped()), snapshot ? &snapshot.mapped() : nullptr,
                   dm.reason);
  call_gone(self, true);
}

caf::typed_response_promise<drained_atom> shut_down(registry_ptr self) {
  auto& st = self->state;
  auto rp = self->make_response_promise<drained_atom>();
  st.stopping = true;
  for (auto& [sid, sup] : st.calls)
    self->send(sup, shutdown_atom::value);
  finalize_held(self);
  if (st.calls.empty() && st.recovering == 0)
    rp.deliver(drained_atom::value);
  else
    st.drained.push_back(rp);
  return rp;
}

} // namespace sb::actors::detail
