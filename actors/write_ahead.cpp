#include "actors/write_ahead.hpp"

#include <caf/send.hpp>

namespace sb::actors::write_ahead {

void booking(const services& svc, const storage::booking& b) {
  if (svc.storage && !svc.call_sid.empty())
    caf::anon_send(svc.storage, save_booking_draft{svc.call_sid, b});
}

void status(const services& svc, const storage::call_record& call) {
  if (svc.storage)
    caf::anon_send(svc.storage,
                   set_call_status{call.call_sid, call.status, call.answered_at_ms, call.resumes});
}

} // namespace sb::actors::write_ahead
