#pragma once
// Runs the model's function calls for one call (child of the call
// supervisor), through the tool table (receptionist/tools.hpp). A tool that
// needs the calendar has the day's jobs read from storage first. Each
// request is answered with a tool_result to the supervisor within
// tools.timeout; a tool that has not finished by then answers with an error
// output so the model can move on. A slot a tool offered or recorded is held
// for the call by the slot_holds actor (actors/slot_holds.hpp) before the
// model hears the answer. Its messages: tool_call_actor in
// actors/interfaces.hpp.

#include "actors/services.hpp"
#include "storage/records.hpp"

namespace sb::actors {

/// `booking`: the details recorded so far (a respawned tool actor carries on from them).
tool_call_actor spawn_tool_call(caf::local_actor* parent, services svc, storage::tenant tenant,
                                call_supervisor_actor supervisor, storage::booking booking = {});

} // namespace sb::actors
