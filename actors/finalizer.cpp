#include "actors/finalizer.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/booking.hpp"

#include <caf/all.hpp>

namespace sb::actors {

namespace {

struct finalizer_state {
  services svc;
  transcript_actor transcript;
  static inline const char* name = "finalizer";
};

using self_ptr = finalizer_actor::stateful_pointer<finalizer_state>;
using promise = caf::typed_response_promise<int64_t>;

void write(self_ptr self, finalize_request a, promise rp) {
  auto& svc = self->state.svc;
  auto job = receptionist::make_job(a.call, a.booking, now_ms());
  std::string body = a.tenant.push_url.empty() ? "" : receptionist::push_body(job, a.tenant);
  auto sid = a.call.call_sid;
  auto reason = storage::end_reason_text(a.call);
  self->request(svc.storage, svc.cfg->call.storage_write,
                finalize_call{std::move(a.call), job, a.tenant.push_url, body})
      .then(
          [self, rp, sid, reason](int64_t job_id) mutable {
            log::info("RealtimeServer",
                      "Call " + sid + " finalized (" + reason + "), job card " +
                          std::to_string(job_id),
                      self->state.svc.log);
            self->send(self->state.svc.notifier, wake_atom::value);
            rp.deliver(job_id);
            self->quit();
          },
          [self, rp, sid](caf::error& e) mutable {
            log::error("RealtimeServer",
                       "Call " + sid + " could not be finalized: " + caf::to_string(e),
                       self->state.svc.log);
            rp.deliver(e);
            self->quit();
          });
}

finalizer_actor::behavior_type finalizer(self_ptr self, services svc, transcript_actor transcript) {
  self->state.svc = std::move(svc);
  self->state.transcript = std::move(transcript);
  return {
      [self](finalize_request& a) -> promise {
        auto rp = self->make_response_promise<int64_t>();
        if (!self->state.transcript) {
          write(self, std::move(a), rp);
          return rp;
        }
        // The turn in flight first, so the transcript is complete on disk.
        self->request(self->state.transcript, self->state.svc.cfg->call.flush, flush_atom::value)
            .then([self, a, rp](flushed_atom) mutable { write(self, std::move(a), rp); },
                  [self, a, rp](caf::error&) mutable { write(self, std::move(a), rp); });
        return rp;
      },
  };
}

} // namespace

finalizer_actor spawn_finalizer(caf::local_actor* parent, services svc,
                                transcript_actor transcript) {
  return parent->spawn(finalizer, std::move(svc), std::move(transcript));
}

} // namespace sb::actors
