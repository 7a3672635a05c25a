// Twilio's callbacks after a call's stream: the recording status callback
// and <Dial>'s action after a transfer, stored on the call by CallSid.
#include "actors/registry_state.hpp"

#include "common/log.hpp"

#include <caf/all.hpp>

namespace sb::actors::detail {

/// The recording status callback: stored on its call, which must be live
/// or stored (a callback for an unknown CallSid invents no call).
caf::typed_response_promise<bool> record(registry_ptr self, const recording_update& r) {
  auto rp = self->make_response_promise<bool>();
  bool live = self->state.calls.count(r.call_sid) != 0;
  self->request(self->state.svc.storage, self->state.svc.cfg->call.storage_write,
                set_recording{r.call_sid, r.url, r.duration_s, live})
      .then(
          [self, rp](bool known) mutable {
            if (known && self->state.svc.notifier) // a voicemail's push may be waiting
              self->send(self->state.svc.notifier, wake_atom::value);
            rp.deliver(known);
          },
          [rp](caf::error& e) mutable { rp.deliver(e); });
  return rp;
}

/// <Dial>'s action after a transfer: its outcome goes on the call and its
/// job card by CallSid. The call is usually finalized by then (Twilio's
/// update ended the stream before the person's phone rang); if not, the
/// row is made or updated and finalize keeps the outcome.
void transfer_outcome(registry_ptr self, const transfer_ended& t) {
  bool live = self->state.calls.count(t.call_sid) != 0;
  log::info("RealtimeHandler", "Transfer of " + t.call_sid + " ended: DialCallStatus " +
                                   t.dial_status + (live ? " (call still finalizing)" : ""));
  self->request(self->state.svc.storage, self->state.svc.cfg->call.storage_write,
                set_transfer_status{t.call_sid, t.dial_status, live})
      .then(
          [self, sid = t.call_sid](bool known) {
            if (!known)
              log::warn("RealtimeHandler",
                        "Transfer outcome for unknown call " + sid + ": nothing stored");
            else if (self->state.svc.notifier) // the card's job.updated push
              self->send(self->state.svc.notifier, wake_atom::value);
          },
          [](caf::error&) {}); // storage logs its failures
}

} // namespace sb::actors::detail
