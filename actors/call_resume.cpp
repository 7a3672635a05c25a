// The registry's side of a caller picked up again (actors/call_resume.hpp).
#include "actors/call_resume.hpp"

#include "actors/call_supervisor.hpp"
#include "actors/registry_state.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/variants.hpp"

#include <caf/all.hpp>

namespace sb::actors::detail {

namespace {

void hold(registry_ptr self, held_call h) {
  auto& st = self->state;
  const auto sid = h.call.call_sid;
  h.generation = ++st.held_generation;
  const auto grace = st.svc.cfg->resume.grace;
  log::warn("RealtimeServer",
            "Call " + sid + " lost its stream (" + storage::end_reason_text(h.call) + "); held " +
                std::to_string(grace.count()) + " ms for the caller to come back",
            log::context{sid, h.tenant ? h.tenant->name : std::string{}});
  self->delayed_send(self, grace, resume_expired_atom::value, sid, h.generation);
  st.held[sid] = std::move(h);
}

/// The grace is over (or the server stops): finalized as it would have been
/// at once, from the database (its turns and booking draft).
void give_up(registry_ptr self, held_call h) {
  auto& st = self->state;
  log::warn("RealtimeServer", "Call " + h.call.call_sid + " did not come back; finalizing it (" +
                                  storage::end_reason_text(h.call) + ")");
  if (st.svc.metrics)
    st.svc.metrics->call_ended(h.call.end_reason);
  h.call.status = status_after(h.call.end_reason, h.call.answered_at_ms != 0);
  recover_call r{std::move(h.call), h.tenant ? *h.tenant : storage::tenant{}, {}};
  // Not counted live: the supervisor that lost it was counted out already.
  finalize_stored(self, std::move(r), false);
}

/// The held call's supervisor: the tenant with the call's own A/B variant.
void spawn_resumed(registry_ptr self, held_call h, stored_call s, stream_arrived stream) {
  auto& st = self->state;
  auto call = std::move(h.call);
  if (s.found) { // the stored row knows what the webhook and the write-ahead wrote
    call.answered_at_ms = call.answered_at_ms != 0 ? call.answered_at_ms : s.call.answered_at_ms;
    call.resumes = std::max(call.resumes, s.call.resumes);
    if (call.variant.empty())
      call.variant = s.call.variant;
  }
  ++call.resumes;
  call.end_reason = end_reason::none;
  call.end_detail.clear();
  call.ended_at_ms = 0;
  call.node_id = st.svc.cfg->server.node_id; // this node runs it now
  const storage::tenant& t = *h.tenant;
  storage::tenant seen = t;
  for (const auto& v : t.variants)
    if (v.name == call.variant)
      seen = receptionist::with_variant(t, v);
  log::info("RealtimeServer",
            "Call " + call.call_sid + " picked up again (resume " + std::to_string(call.resumes) +
                ", " + std::to_string(s.turns.size()) + " turns stored" +
                (call.variant.empty() ? "" : ", variant " + call.variant) + ")",
            log::context{call.call_sid, t.name});
  auto twiml = stream_twiml(*st.svc.cfg, call, seen);
  auto sup = spawn_call_supervisor(self, st.svc, seen, call, std::move(s));
  // The held tenant may be older than the cache: it never refills it.
  track_call(self, sup, call, std::move(twiml), std::move(h.tenant), tenant_cache::stale);
  self->send(sup, std::move(stream));
}

/// A held call (its business still there) gets a new <Connect><Stream>;
/// any other call what its supervisor said, else <Hangup/>.
call_next next_of(const registry_state& st, const std::string& call_sid) {
  auto it = st.held.find(call_sid);
  if (it == st.held.end() || !it->second.tenant || it->second.tenant->number.empty())
    return next_for(st, call_sid);
  const auto& h = it->second;
  call_next n{call_sid, false, "resume", {}};
  n.resume_twiml = stream_twiml(*st.svc.cfg, h.call, *h.tenant);
  log::info("RealtimeHandler", "After its lost stream, " + call_sid + " is picked up again");
  return n;
}

} // namespace

void on_call_lost(registry_ptr self, call_lost& l) {
  auto& st = self->state;
  auto it = st.answered_calls.find(l.call.call_sid);
  if (it == st.answered_calls.end())
    return;
  hold(self, held_call{std::move(l.call), it->second.tenant, true, false, 0});
  answer_waiting(self);
}

void hold_lost(registry_ptr self, lost_call l) {
  held_call h;
  h.call = std::move(l.call);
  h.call.end_reason = end_reason::server_lost;
  h.call.end_detail = "the server stopped mid-call";
  h.call.ended_at_ms = 0; // unknown: the finalizer takes the last stored activity
  h.tenant = std::make_shared<const storage::tenant>(std::move(l.tenant));
  h.live = false;
  hold(self, std::move(h));
}

void recovery_done(registry_ptr self) {
  self->state.recovered = true;
  answer_waiting(self);
}

/// Whether the call-next route can be answered for `call_sid` now: not while
/// the calls left open are unknown, nor while its supervisor runs and has
/// not said how the stream ended (lost: call_lost; else call_next), as
/// Twilio's <Redirect> may come before the supervisor has seen the loss.
bool answerable(const registry_state& st, const std::string& call_sid) {
  return st.recovered && (st.calls.count(call_sid) == 0 || st.held.count(call_sid) != 0 ||
                          st.next_steps.count(call_sid) != 0);
}

namespace {

/// What follows the call's stream, once answerable: a call this node neither
/// runs, holds nor said anything about may be another node's
/// (call_takeover.hpp).
void deliver_next(registry_ptr self, const std::string& call_sid,
                  caf::typed_response_promise<call_next>& rp) {
  const auto& st = self->state;
  const bool unknown = st.calls.count(call_sid) == 0 && st.held.count(call_sid) == 0 &&
                       st.next_steps.count(call_sid) == 0;
  if (unknown && answer_for_elsewhere(self, call_sid, rp))
    return;
  rp.deliver(next_of(st, call_sid));
}

} // namespace

call_next held_next(const registry_state& st, const std::string& call_sid) {
  return next_of(st, call_sid);
}

void answer_waiting(registry_ptr self) {
  auto& st = self->state;
  auto waiting = std::move(st.next_waiting);
  st.next_waiting.clear();
  for (auto& [sid, rp] : waiting) {
    if (answerable(st, sid))
      deliver_next(self, sid, rp);
    else
      st.next_waiting.emplace_back(sid, rp);
  }
}

void on_resume_expired(registry_ptr self, const std::string& call_sid, int generation) {
  auto& st = self->state;
  auto it = st.held.find(call_sid);
  if (it == st.held.end() || it->second.generation != generation || it->second.resuming)
    return;
  auto h = std::move(it->second);
  st.held.erase(it);
  give_up(self, std::move(h));
}

bool resume_stream(registry_ptr self, stream_arrived& s) {
  auto& st = self->state;
  auto it = st.held.find(s.start.call_sid);
  if (it == st.held.end() || !it->second.tenant || it->second.tenant->number.empty())
    return false; // a business removed since cannot take the call
  if (it->second.resuming) {
    log::warn("RealtimeServer", "A second stream for " + s.start.call_sid + " was refused");
    s.conn->close();
    return true;
  }
  it->second.resuming = true;
  const auto sid = s.start.call_sid;
  auto stream = std::move(s);
  self->request(st.svc.storage, st.svc.cfg->call.storage_write, load_call{sid})
      .then(
          [self, sid, stream](stored_call& stored) mutable {
            auto it = self->state.held.find(sid);
            if (it == self->state.held.end())
              return stream.conn->close();
            auto h = std::move(it->second);
            self->state.held.erase(it);
            spawn_resumed(self, std::move(h), std::move(stored), std::move(stream));
          },
          [self, sid, stream](caf::error& e) mutable {
            // No history to resume from: the call goes on as a fresh conversation.
            log::error("RealtimeServer", "Could not load " + sid + " to resume it: " + describe(e) +
                                             "; it carries on without its transcript");
            auto it = self->state.held.find(sid);
            if (it == self->state.held.end())
              return stream.conn->close();
            auto h = std::move(it->second);
            self->state.held.erase(it);
            spawn_resumed(self, std::move(h), stored_call{}, std::move(stream));
          });
  return true;
}

caf::typed_response_promise<call_next> answer_next(registry_ptr self, const call_next_query& q) {
  auto& st = self->state;
  auto rp = self->make_response_promise<call_next>();
  if (answerable(st, q.call_sid))
    deliver_next(self, q.call_sid, rp);
  else // answered as soon as it is known (the route's ask is bounded)
    st.next_waiting.emplace_back(q.call_sid, rp);
  return rp;
}

void finalize_held(registry_ptr self) {
  auto& st = self->state;
  auto held = std::move(st.held);
  st.held.clear();
  for (auto& [sid, h] : held)
    give_up(self, std::move(h));
}

} // namespace sb::actors::detail
