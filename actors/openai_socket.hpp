#pragma once
// One call's connection to the OpenAI Realtime API (child of the call
// supervisor; a new one is spawned for each reconnect). Connects (after an
// optional backoff delay), sends the GA session.update, and hands the
// connection to the call's media_relay, which carries the audio both ways on
// the io thread (assistant audio deltas never reach this mailbox). Every
// other server event is parsed on the io thread and comes here.
//
// Its messages: openai_socket_actor in actors/interfaces.hpp; it tells the
// supervisor openai_session_ready and realtime_event, and the registry
// openai_observation (for the health check). A standby socket stays off the
// call's audio path until take_over_atom, then carries on as the live one. Exits with
// call_error::openai_unavailable or openai_socket_lost when the connection
// fails or drops, so that the supervisor can decide to reconnect.

#include "actors/services.hpp"
#include "protocol/realtime.hpp"
#include "relay/media_relay.hpp"

#include <chrono>

namespace sb::actors {

struct openai_socket_args {
  proto::session_params session;
  std::string call_sid;
  std::chrono::milliseconds delay{0}; ///< wait before connecting (reconnect backoff)
  bool reconnect = false;
  /// A standby for a session near its time limit (actors/session_recycle.cpp):
  /// it connects and configures, but carries no audio and forwards no events
  /// until the supervisor sends take_over_atom.
  bool standby = false;
  relay::media_relay_ptr relay; ///< the call's audio path
};

openai_socket_actor spawn_openai_socket(caf::local_actor* parent, services svc,
                                        openai_socket_args args, call_supervisor_actor supervisor);

} // namespace sb::actors
