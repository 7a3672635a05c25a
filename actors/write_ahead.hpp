#pragma once
// Write ahead (issue 14): what a job card is made of goes to the database as
// soon as it is known, so that a crash loses at most the turn in flight. The
// call's status as it changes (the supervisor) and its booking details as
// each record_booking_details lands (the tool actor); each turn as it
// completes is the transcript actor's (append_turn). Every write is a
// message to the storage actor, sent and not waited for: nothing on the
// call's path waits for SQLite, and a failed write is logged there and
// reported to the health check; the call goes on, and its record is written
// whole when it is finalized.

#include "actors/services.hpp"
#include "storage/records.hpp"

namespace sb::actors::write_ahead {

/// The call's booking details so far (services::call_sid names the call).
void booking(const services& svc, const storage::booking& b);

/// The call's status, answer time and resumes (times picked up again) as
/// they stand now: a call picked up again and then lost again keeps its count.
void status(const services& svc, const storage::call_record& call);

} // namespace sb::actors::write_ahead
