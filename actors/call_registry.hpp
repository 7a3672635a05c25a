#pragma once
// The directory of live calls (one per process). It answers the Voice
// webhook (looks the tenant up, spawns the call supervisor keyed by
// CallSid, replies TwiML), routes each Media Stream socket to its call,
// keeps a snapshot of every call for /realtime-sessions and the health
// check, and winds all calls down on shutdown. One call's failure never
// touches another: each supervisor is monitored, not linked.
//
// Messages: inbound_call, stream_arrived, recording_update, call_snapshot,
// openai_observation, (health_atom, http_query), (sessions_atom, http_query),
// (hangup_atom, call_sid) -> bool, (shutdown_atom) -> ack_atom once every
// call has finished (or the grace period ran out), (stats_atom) -> int
// (active calls).

#include "actors/services.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sb::actors {

/// `svc.registry` is filled in by the registry itself.
caf::actor spawn_registry(caf::actor_system& sys, services svc);

} // namespace sb::actors
