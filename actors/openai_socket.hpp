#pragma once
// One call's connection to the OpenAI Realtime API (child of the call
// supervisor; a new one is spawned for each reconnect). Connects (after an
// optional backoff delay), sends the GA session.update, and hands the
// connection to the call's media_relay, which carries the audio both ways on
// the io thread (assistant audio deltas never reach this mailbox). Every
// other server event is parsed on the io thread and comes here.
//
// Messages in:  openai_connected, realtime_event (parsed server events),
//               socket_closed (its socket); openai_send (a client event).
// Messages out: openai_session_ready, realtime_event (supervisor);
//               openai_observation (registry, for the health check).
// Exits with an error when the connection fails or drops, so that the
// supervisor can decide to reconnect.

#include "actors/media_relay.hpp"
#include "actors/services.hpp"
#include "protocol/realtime.hpp"

#include <caf/actor.hpp>

#include <chrono>

namespace sb::actors {

struct openai_socket_args {
  proto::session_params session;
  std::string call_sid;
  std::chrono::milliseconds delay{0}; ///< wait before connecting (reconnect backoff)
  bool reconnect = false;
  media_relay_ptr relay; ///< the call's audio path
};

caf::actor spawn_openai_socket(caf::local_actor* parent, services svc, openai_socket_args args,
                               caf::actor supervisor);

} // namespace sb::actors
