#pragma once
// One call's Twilio Media Stream socket (child of the call supervisor).
// Owns the socket's life cycle and its control events. Media and mark
// frames never reach its mailbox: the socket's frame handler hands them to
// the call's media_relay on the io thread (caller audio on to OpenAI, marks
// into the play-out tracker). Every other frame comes here.
//
// Its messages: twilio_socket_actor in actors/interfaces.hpp; it tells the
// supervisor stream_stopped and dtmf_digit. It exits normally after `stop`
// or a hang-up it was asked for; any other end of the socket exits with
// call_error::twilio_socket_lost.

#include "actors/services.hpp"
#include "net/ws_connection.hpp"
#include "protocol/media_stream.hpp"
#include "relay/media_relay.hpp"

namespace sb::actors {

twilio_socket_actor spawn_twilio_socket(caf::local_actor* parent, services svc,
                                        net::ws_connection_ptr conn, proto::twilio_event start,
                                        call_supervisor_actor supervisor,
                                        relay::media_relay_ptr relay);

} // namespace sb::actors
