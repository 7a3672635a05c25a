#include "actors/finalizer.hpp"

#include "actors/storage_actor.hpp"
#include "common/log.hpp"
#include "common/phrases.hpp"
#include "common/time.hpp"
#include "receptionist/booking.hpp"
#include "receptionist/ics.hpp"

#include <caf/all.hpp>

#include <algorithm>

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
  job.analysis = a.analysis;
  if (a.analysis_asked && a.analysis.empty()) { // failed or timed out: a person looks
    job.status = "needs_review";
    job.summary += std::string{" "} + phrases_for(job.language).no_analysis;
  }
  // A booked slot goes along as an iCalendar event (issue 17.6), as long as
  // the tenant's slots; "" : none.
  auto ics = receptionist::job_ics(job, a.tenant.name,
                                   a.tenant.slot_length(svc.cfg->tools.slot_minutes), now_ms());
  std::string body =
      a.tenant.push_url.empty() ? "" : receptionist::push_body_with_ics(job, a.tenant, ics);
  auto sid = a.call.call_sid;
  auto reason = storage::end_reason_text(a.call);
  // The end time of a call whose server died is its last activity, a guess.
  const int64_t ended_at = a.call.end_reason == end_reason::server_lost ? 0 : a.call.ended_at_ms;
  self->request(svc.storage, svc.cfg->call.storage_write,
                finalize_call{std::move(a.call), job, a.tenant.push_url, body, true})
      .then(
          [self, rp, sid, reason, ended_at](int64_t job_id) mutable {
            if (job_id == job_card_pending) {
              // Written, and its push sent, when the database takes it.
              log::warn("RealtimeServer",
                        "Call " + sid + " finalized (" + reason +
                            "); its job card waits in memory for the database",
                        self->state.svc.log);
              rp.deliver(int64_t{0});
              return self->quit();
            }
            if (auto& m = self->state.svc.metrics; m && ended_at > 0)
              m->job_card_latency.observe(double(std::max<int64_t>(now_ms() - ended_at, 0)) /
                                          1000.0);
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

/// When a call with no known end (its server died) last did anything on
/// record: its last stored turn, else its answer, else its webhook.
int64_t last_activity(const stored_call& s) {
  int64_t t = std::max(s.call.started_at_ms, s.call.answered_at_ms);
  for (const auto& turn : s.turns)
    t = std::max(t, turn.ended_at_ms);
  return t;
}

/// The stored row is the base: it knows what the webhook, the write-ahead
/// status and the recording callback wrote; `known` adds how the call ended
/// and what the registry saw. An end time of 0 is not known (server_lost).
storage::call_record merged(const stored_call& s, const storage::call_record& known) {
  auto stored = s.call;
  stored.end_reason = known.end_reason;
  stored.end_detail = known.end_detail;
  stored.ended_at_ms = known.ended_at_ms != 0 ? known.ended_at_ms : last_activity(s);
  stored.status = known.status;
  if (stored.answered_at_ms == 0)
    stored.answered_at_ms = known.answered_at_ms;
  return stored;
}

/// A call whose supervisor died: finalized from the database, unless it was
/// already. No analysis is asked for it (the `{}, false` below).
void recover(self_ptr self, recover_call r, promise rp) {
  auto& svc = self->state.svc;
  svc.log = log::context{r.call.call_sid, r.tenant.name};
  self->request(svc.storage, svc.cfg->call.storage_write, load_call{r.call.call_sid})
      .then(
          [self, r, rp](stored_call& s) mutable {
            const auto& sid = r.call.call_sid;
            if (s.found && s.call.end_reason != end_reason::none) {
              log::info("RealtimeServer",
                        "Call " + sid + " was finalized before its supervisor " +
                            "died; nothing to recover",
                        self->state.svc.log);
              rp.deliver(int64_t{0});
              return self->quit();
            }
            log::warn("RealtimeServer",
                      "Call " + sid + " was left open (" + r.call.end_detail +
                          "); finalizing it from the " + "database (" +
                          std::to_string(s.turns.size()) + " turns stored)",
                      self->state.svc.log);
            auto call = s.found ? merged(s, r.call) : std::move(r.call);
            // The booking the registry last saw, else the one written ahead.
            auto booking = r.booking.empty() ? std::move(s.draft) : std::move(r.booking);
            write(self, {std::move(call), std::move(r.tenant), std::move(booking), {}, false}, rp);
          },
          [self, r, rp](caf::error&) mutable {
            // Storage is failing (logged there): the write says whether it still is.
            if (r.call.ended_at_ms == 0)
              r.call.ended_at_ms = now_ms();
            write(self, {std::move(r.call), std::move(r.tenant), std::move(r.booking), {}, false},
                  rp);
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
      [self](recover_call& r) -> promise {
        auto rp = self->make_response_promise<int64_t>();
        recover(self, std::move(r), rp);
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
