#pragma once
// One call's Twilio Media Stream socket (child of the call supervisor).
// Owns the socket's life cycle and its control events. Media and mark
// frames never reach its mailbox: the socket's frame handler hands them to
// the call's media_relay on the io thread (caller audio on to OpenAI, marks
// into the play-out tracker). Every other frame comes here.
//
// Messages in:  twilio_frame (non-media frames), socket_closed (its socket);
//               barge_in_request -> replies barge_in_cut;
//               hangup_after_playout (close once queued audio has played);
//               (hangup_atom, std::string audio) (play this, then close).
// Messages out: stream_stopped, dtmf_digit (to the supervisor); the relay
//               reports first_audio_sent.
// It exits normally after `stop` or a hang-up it was asked for; any other end
// of the socket exits with an error (twilio socket lost).

#include "actors/media_relay.hpp"
#include "actors/services.hpp"
#include "net/ws_connection.hpp"
#include "protocol/media_stream.hpp"

#include <caf/actor.hpp>

namespace sb::actors {

caf::actor spawn_twilio_socket(caf::local_actor* parent, services svc, net::ws_connection_ptr conn,
                               proto::twilio_event start, caf::actor supervisor,
                               media_relay_ptr relay);

} // namespace sb::actors
