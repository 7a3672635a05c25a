#pragma once
// One per call, spawned by the registry when the Voice webhook arrives, so
// that the OpenAI session is connected and configured BEFORE Twilio's stream
// starts (the greeting is ready sooner). It spawns and monitors the call's
// children and decides for each (STYLE.md 4):
//   openai socket  dropped      -> respawned with backoff; session.update
//                                  re-sent and the conversation replayed
//   openai socket  never up     -> the caller hears an apology, the call ends
//   twilio socket  ends         -> the call ends (caller_hangup, or twilio socket lost)
//   tool call      fails        -> respawned
//   transcript     fails        -> the call ends
// Ending stops input, flushes the transcript, and has the finalizer write
// the call record and job card; then the supervisor quits.
//
// Messages in: stream_arrived (registry), realtime_event and
// openai_session_ready (openai socket), first_audio_sent, stream_stopped,
// dtmf_digit (twilio socket), tool_result (tool call), shutdown_atom
// (registry: the server is stopping), hangup_atom (an operator ends the call).
// Messages out: call_snapshot to the registry whenever the call changes.

#include "actors/services.hpp"
#include "storage/records.hpp"

#include <caf/actor.hpp>

namespace sb::actors {

caf::actor spawn_call_supervisor(caf::local_actor* registry, services svc, storage::tenant tenant,
                                 storage::call_record call);

} // namespace sb::actors
