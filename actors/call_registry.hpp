#pragma once
// The directory of live calls (one per process). It answers the Voice
// webhook when the route could not (looks the tenant up, spawns the call
// supervisor keyed by CallSid, replies TwiML; every answering path is in
// actors/webhook_answer.hpp), routes each Media Stream socket to its call,
// keeps a snapshot of every call for /realtime-sessions and the health
// check (fed by what openai sockets, storage and the notifier report to it:
// actors/health_watch.hpp), and winds all calls down on shutdown. It answers with data
// (health_info, sessions_info, ...); app/ renders them as HTTP.
// One call's failure never touches another: each supervisor is monitored,
// not linked. A supervisor that dies abnormally takes its children with it
// (they are linked to it: both sockets close); the registry then has a
// finalizer write the call from the database (end reason internal_error,
// the job card from the booking of the supervisor's last snapshot, the push
// through the outbox), once: a call finalized already is left as it is. The
// call counts as live (count_atom, shutdown's drain) until that is written.
// Its messages: call_registry_actor in actors/interfaces.hpp.

#include "actors/services.hpp"

#include <caf/actor_system.hpp>

namespace sb::actors {

/// `svc.registry` is filled in by the registry itself.
call_registry_actor spawn_registry(caf::actor_system& sys, services svc);

} // namespace sb::actors
