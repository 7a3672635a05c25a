#pragma once
// Runs the model's function calls for one call (child of the call
// supervisor). Tools: record_booking_details (merges details into the
// booking), check_availability (business hours + jobs already booked in
// SQLite), end_call. Each request is answered with a tool_result to the
// supervisor within tools.timeout; a tool that has not finished by then
// answers with an error output so the model can move on.
//
// Messages: tool_request (from the supervisor) -> tool_result (to the
// supervisor, asynchronously).

#include "actors/services.hpp"
#include "storage/records.hpp"

#include <caf/actor.hpp>

namespace sb::actors {

caf::actor spawn_tool_call(caf::local_actor* parent, services svc, storage::tenant tenant,
                           caf::actor supervisor);

} // namespace sb::actors
