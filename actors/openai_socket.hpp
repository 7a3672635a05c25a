#pragma once
// One call's connection to the OpenAI Realtime API (child of the call
// supervisor; a new one is spawned for each reconnect). Connects (after an
// optional backoff delay), sends the GA session.update, relays caller audio
// as input_audio_buffer.append, hands assistant audio straight to the Twilio
// socket and every other server event to the supervisor.
//
// Messages in:  openai_connected, openai_frame, socket_closed (its socket);
//               audio_in (from the Twilio socket; buffered until the session
//               is configured); openai_send (a client event to send);
//               (attach_atom, caf::actor) (the Twilio socket, for audio_out).
// Messages out: openai_session_ready, realtime_event (supervisor);
//               audio_out (Twilio socket, or buffered until attached);
//               openai_observation (registry, for the health check).
// Exits with an error when the connection fails or drops, so that the
// supervisor can decide to reconnect.

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
  caf::actor downstream; ///< the Twilio socket, if already attached
};

caf::actor spawn_openai_socket(caf::local_actor* parent, services svc, openai_socket_args args,
                               caf::actor supervisor);

} // namespace sb::actors
