// Calls left open by this node's last run (or by a dead node, claimed from
// it: actors/call_takeover.hpp): found at start, then held for the caller's
// <Redirect> (actors/call_resume.hpp) or finalized as server_lost.
#include "actors/registry_state.hpp"

#include "common/log.hpp"

#include <caf/all.hpp>

namespace sb::actors::detail {

namespace {

/// A call this node left open when it died (issue 14): finalized as one
/// whose supervisor died, server_lost, its job card from its booking draft.
void finalize_lost(registry_ptr self, lost_call l) {
  auto& st = self->state;
  recover_call r{std::move(l.call), std::move(l.tenant), {}};
  r.call.end_reason = end_reason::server_lost;
  r.call.end_detail = "the server stopped mid-call";
  r.call.ended_at_ms = 0; // unknown: the finalizer takes the last stored activity
  r.call.status = status_after(end_reason::server_lost, r.call.answered_at_ms != 0);
  if (st.svc.metrics)
    st.svc.metrics->call_ended(end_reason::server_lost);
  finalize_stored(self, std::move(r), false);
}

} // namespace

void adopt_lost_calls(registry_ptr self, std::vector<lost_call>& lost) {
  const bool hold = self->state.svc.cfg->resume.grace.count() > 0;
  for (auto& l : lost) {
    if (self->state.calls.count(l.call.call_sid) != 0 || self->state.held.count(l.call.call_sid))
      continue;
    if (hold) // Twilio's <Redirect> may bring the caller back (call_resume.cpp)
      hold_lost(self, std::move(l));
    else
      finalize_lost(self, std::move(l));
  }
}

/// At start: the calls this node left open are finalized in the background;
/// webhooks are answered meanwhile. Its first message to storage after the
/// lease's first heartbeat (call_takeover.cpp: a survivor that claimed them
/// already has them; none can claim them after it), so that no call begun
/// since is among them (and a live one is skipped regardless).
void recover_lost_calls(registry_ptr self) {
  auto& st = self->state;
  if (!st.svc.storage)
    return recovery_done(self);
  start_lease(self);
  const auto& node = st.svc.cfg->server.node_id;
  self->request(st.svc.storage, st.svc.cfg->call.storage_write, open_calls{node})
      .then(
          [self, node](std::vector<lost_call>& lost) {
            if (!lost.empty())
              log::warn("RealtimeServer", "Node " + node + " left " + std::to_string(lost.size()) +
                                              " calls open when it last stopped; finalizing them");
            adopt_lost_calls(self, lost);
            recovery_done(self);
          },
          [self](caf::error& e) {
            log::error("RealtimeServer", "Could not look for calls left open: " + describe(e) +
                                             "; they will be finalized at the next start");
            recovery_done(self);
          });
}

} // namespace sb::actors::detail
