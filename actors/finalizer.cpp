#include "actors/finalizer.hpp"

#include "actors/messages.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/booking.hpp"

#include <caf/all.hpp>

namespace sb::actors {

namespace {

struct finalizer_state {
  services svc;
  static inline const char* name = "finalizer";
};

using self_ptr = caf::stateful_actor<finalizer_state>*;

void write(self_ptr self, finalize_args a, caf::response_promise rp) {
  auto& svc = self->state.svc;
  auto job = receptionist::make_job(a.call, a.booking, now_ms());
  std::string body = a.tenant.push_url.empty() ? "" : receptionist::push_body(job, a.tenant);
  self->request(svc.storage, std::chrono::seconds{15},
                finalize_call{a.call, job, a.tenant.push_url, body})
    .then(
      [self, rp, sid = a.call.call_sid, reason = a.call.end_reason](int64_t job_id) mutable {
        log::info("RealtimeServer", "Call " + sid + " finalized (" + reason + "), job card " +
                                      std::to_string(job_id));
        self->send(self->state.svc.notifier, wake_atom::value);
        rp.deliver(job_id);
        self->quit();
      },
      [self, rp, sid = a.call.call_sid](caf::error& e) mutable {
        log::error("RealtimeServer", "Call " + sid + " could not be finalized: " + caf::to_string(e));
        rp.deliver(e);
        self->quit();
      });
}

caf::behavior finalizer(self_ptr self, services svc) {
  self->state.svc = std::move(svc);
  return {
    [self](finalize_args& a) -> caf::result<int64_t> {
      auto rp = self->make_response_promise<int64_t>();
      if (!a.transcript) {
        write(self, std::move(a), rp);
        return rp;
      }
      // The turn in flight first, so the transcript is complete on disk.
      self->request(a.transcript, std::chrono::seconds{10}, flush_atom::value)
        .then([self, a, rp](ack_atom) mutable { write(self, std::move(a), rp); },
              [self, a, rp](caf::error&) mutable { write(self, std::move(a), rp); });
      return rp;
    },
  };
}

} // namespace

caf::actor spawn_finalizer(caf::local_actor* parent, services svc) {
  return parent->spawn(finalizer, std::move(svc));
}

} // namespace sb::actors
