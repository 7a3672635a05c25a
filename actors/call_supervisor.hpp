#pragma once
// One per call, spawned by the registry when the Voice webhook arrives, so
// that the OpenAI session is connected and configured BEFORE Twilio's stream
// starts (the greeting is ready sooner). It spawns and monitors the call's
// children and decides for each (docs/STYLE.md 4):
//   openai socket  dropped      -> respawned with backoff; session.update
//                                  re-sent and the conversation replayed
//   openai socket  never up     -> the caller hears an apology, the call ends
//   openai socket  near its     -> a standby is configured, replayed and switched
//                  time limit      to between turns (session_recycle.cpp)
//   twilio socket  ends         -> the call ends (caller_hangup); lost without
//                                  `stop`: handed to the registry to be held for
//                                  the caller to come back (actors/call_resume.hpp)
//   tool call      fails        -> respawned with the booking so far; each call
//                                  it had pending is answered with an error output
//   transcript     fails        -> the call ends (internal_error)
// Its timers (call_timers.cpp): the stream must attach, the longest call is
// warned then wrapped up, a silent caller is asked then the call ends.
// Ending stops input, flushes the transcript, and has the finalizer write
// the call record and job card; then the supervisor quits.
// The children are linked to it as well as monitored: if the supervisor dies
// abnormally they die with it, closing both sockets, and the registry
// finalizes the call (actors/call_registry.hpp). A child's own exit is
// decided by its down_msg, never by the link.
//
// Its messages: call_supervisor_actor in actors/interfaces.hpp. It sends:
// call_snapshot to the registry on each change,
// openai_send to its openai socket, barge_in_request / hangup_after_playout /
// play_then_hangup to its twilio socket, tool_request to its tool call,
// caller_said / assistant_said / assistant_truncated to its transcript,
// finalize_request to a finalizer, and call_report / call_line to the console.

#include "actors/services.hpp"
#include "storage/records.hpp"

namespace sb::actors {

/// `resume_from`, when found: the call picked up again after its stream was
/// lost (actors/call_resume.hpp), with its stored turns and booking draft.
call_supervisor_actor spawn_call_supervisor(caf::local_actor* registry, services svc,
                                            storage::tenant tenant, storage::call_record call,
                                            stored_call resume_from = {});

} // namespace sb::actors
